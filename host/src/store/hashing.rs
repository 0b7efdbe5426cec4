//! SHA-256 over canonical JSON (RFC 8785) and over array contents.

use sha2::{Digest, Sha256};

/// RFC 8785 canonical JSON: sorted keys, no whitespace, ECMAScript numbers.
pub fn canonical_json(value: &serde_json::Value) -> String {
    serde_jcs::to_string(value).expect("a serde_json::Value always serialises")
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 (hex) of the canonical JSON of `value`, with the canonical text.
pub fn canonical_sha256(value: &serde_json::Value) -> (String, String) {
    let text = canonical_json(value);
    let hash = sha256_hex(text.as_bytes());
    (text, hash)
}

/// SHA-256 of an array's contents, fed item by item as little-endian
/// C-order bytes (exactly the bytes of the whole `[N, ...]` array).
#[derive(Clone, Default)]
pub struct ContentHasher {
    state: Sha256,
}

impl ContentHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the bytes of the next items.
    pub fn update(&mut self, bytes: &[u8]) {
        self.state.update(bytes);
    }

    /// The hash of everything appended, lower-case hex.
    pub fn finish(self) -> String {
        hex::encode(self.state.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let value = serde_json::json!({"b": [1, 2.5], "a": {"y": true, "x": null}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"x":null,"y":true},"b":[1,2.5]}"#
        );
    }

    #[test]
    fn canonical_json_writes_numbers_as_ecmascript_does() {
        let value = serde_json::json!({"tiny": 1e-7, "big": 1e21, "whole": 3.0});
        assert_eq!(
            canonical_json(&value),
            r#"{"big":1e+21,"tiny":1e-7,"whole":3}"#
        );
    }

    #[test]
    fn sha256_of_the_empty_input_is_the_standard_value() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn content_hash_does_not_depend_on_how_items_are_split() {
        let mut whole = ContentHasher::new();
        whole.update(b"abcdef");
        let mut pieces = ContentHasher::new();
        pieces.update(b"ab");
        pieces.update(b"cdef");
        assert_eq!(whole.finish(), pieces.finish());
    }
}
