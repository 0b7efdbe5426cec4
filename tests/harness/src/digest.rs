//! SHA-256 of what a port produced, to compare runs bit for bit.

use macroscope_plugin_api::Scalar;
use sha2::{Digest, Sha256};

use crate::driver::{PortOutput, RunOutput};

impl PortOutput {
    /// SHA-256 (lower-case hex) over every item's element type, values and
    /// metadata, in order. Equal hashes mean bit-identical output.
    pub fn sha256(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update((self.items.len() as u64).to_le_bytes());
        for item in &self.items {
            hasher.update(item.data.element().as_str());
            hasher.update((item.data.as_bytes().len() as u64).to_le_bytes());
            hasher.update(item.data.as_bytes());
            for value in item.meta.iter() {
                match *value {
                    Scalar::Int(v) => {
                        hasher.update([0]);
                        hasher.update(v.to_le_bytes());
                    }
                    Scalar::Float(v) => {
                        hasher.update([1]);
                        hasher.update(v.to_bits().to_le_bytes());
                    }
                }
            }
        }
        hex::encode(hasher.finalize())
    }
}

impl RunOutput {
    /// `(port name, sha256)` for every declared port.
    pub fn sha256_per_port(&self) -> Vec<(String, String)> {
        self.ports
            .iter()
            .map(|p| (p.spec.name.to_string(), p.sha256()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use macroscope_plugin_api::{ElementType, Emission, PortSpec};

    use super::*;

    fn port_with(values: Vec<f64>, meta: Vec<Scalar>) -> PortOutput {
        PortOutput {
            spec: PortSpec::stream("p", ElementType::F64, &[2]),
            items: vec![Emission {
                port: 0,
                data: macroscope_plugin_api::Element::into_array(values),
                meta: meta.into_iter().collect(),
            }],
        }
    }

    #[test]
    fn no_items_hash_to_the_sha256_of_a_zero_count() {
        let empty = PortOutput {
            spec: PortSpec::stream("p", ElementType::F64, &[2]),
            items: vec![],
        };
        // sha256 of eight zero bytes, computed independently (`head -c8 /dev/zero | sha256sum`).
        assert_eq!(
            empty.sha256(),
            "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc"
        );
    }

    #[test]
    fn a_changed_metadata_value_changes_the_hash() {
        let a = port_with(vec![1.0, 2.0], vec![Scalar::Int(3)]);
        let b = port_with(vec![1.0, 2.0], vec![Scalar::Int(4)]);
        assert_ne!(a.sha256(), b.sha256());
    }

    #[test]
    fn an_integer_and_a_float_with_the_same_bits_hash_differently() {
        let a = port_with(vec![1.0, 2.0], vec![Scalar::Int(0)]);
        let b = port_with(vec![1.0, 2.0], vec![Scalar::Float(0.0)]);
        assert_ne!(a.sha256(), b.sha256());
    }
}
