//! Publishing (issue 24): the desk's workflow, the public site, the legal
//! library, search, and the browser's view of it.

mod browser;
mod content;
mod files;
mod newsletters;
