//! Rebuilds when a migration is added or changed: `db::MIGRATIONS` embeds the directory,
//! and Cargo would not otherwise notice a new one.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
