//! The Fluent messages are read into the binary at compile time by
//! `fluent_templates::static_loader!`, which does not tell cargo about the
//! files: without this, a changed `.ftl` left the tests on the old texts.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
