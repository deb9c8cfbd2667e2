//! Statistics: pivots, the dashboard, reports and exports, the public
//! statistics, and the browser flow of the dashboard.

mod browser;
pub(crate) mod pivots;
mod public;
