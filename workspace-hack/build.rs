// Present so that cargo applies the build-dependency features listed in Cargo.toml.
fn main() {}
