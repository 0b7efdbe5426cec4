//! The NWB schema cached in every export, as pynwb caches it: each namespace's
//! specification documents as JSON text under `/specifications/<namespace>/<version>/`,
//! and the root attribute `.specloc` pointing there, so a reader needs
//! nothing installed to interpret the file. The documents are those pynwb
//! 4.2.0 bundles (NWB core 2.11.0, hdmf-common 1.10.0, hdmf-experimental
//! 0.6.0; BSD licence, see `schema/README.md`).

use hdf5::{File, Group};

/// One cached namespace.
pub struct Namespace {
    /// Its name (`core`, `hdmf-common`, `hdmf-experimental`).
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// Each document: its name (`namespace`, `nwb.base`, ...) and JSON text.
    pub sources: &'static [(&'static str, &'static str)],
}

/// The NWB version the export writes (`nwb_version`), the core namespace's.
pub const NWB_VERSION: &str = "2.11.0";

/// The namespaces written, core first.
pub const NAMESPACES: &[Namespace] = &[
    Namespace {
        name: "core",
        version: "2.11.0",
        sources: &[
            (
                "namespace",
                include_str!("schema/core/2.11.0/namespace.json"),
            ),
            ("nwb.base", include_str!("schema/core/2.11.0/nwb.base.json")),
            (
                "nwb.behavior",
                include_str!("schema/core/2.11.0/nwb.behavior.json"),
            ),
            (
                "nwb.device",
                include_str!("schema/core/2.11.0/nwb.device.json"),
            ),
            (
                "nwb.ecephys",
                include_str!("schema/core/2.11.0/nwb.ecephys.json"),
            ),
            (
                "nwb.epoch",
                include_str!("schema/core/2.11.0/nwb.epoch.json"),
            ),
            (
                "nwb.event",
                include_str!("schema/core/2.11.0/nwb.event.json"),
            ),
            ("nwb.file", include_str!("schema/core/2.11.0/nwb.file.json")),
            (
                "nwb.icephys",
                include_str!("schema/core/2.11.0/nwb.icephys.json"),
            ),
            (
                "nwb.image",
                include_str!("schema/core/2.11.0/nwb.image.json"),
            ),
            ("nwb.misc", include_str!("schema/core/2.11.0/nwb.misc.json")),
            ("nwb.ogen", include_str!("schema/core/2.11.0/nwb.ogen.json")),
            (
                "nwb.ophys",
                include_str!("schema/core/2.11.0/nwb.ophys.json"),
            ),
            (
                "nwb.retinotopy",
                include_str!("schema/core/2.11.0/nwb.retinotopy.json"),
            ),
        ],
    },
    Namespace {
        name: "hdmf-common",
        version: "1.10.0",
        sources: &[
            ("base", include_str!("schema/hdmf-common/1.10.0/base.json")),
            (
                "namespace",
                include_str!("schema/hdmf-common/1.10.0/namespace.json"),
            ),
            (
                "resources",
                include_str!("schema/hdmf-common/1.10.0/resources.json"),
            ),
            (
                "sparse",
                include_str!("schema/hdmf-common/1.10.0/sparse.json"),
            ),
            (
                "table",
                include_str!("schema/hdmf-common/1.10.0/table.json"),
            ),
        ],
    },
    Namespace {
        name: "hdmf-experimental",
        version: "0.6.0",
        sources: &[
            (
                "experimental",
                include_str!("schema/hdmf-experimental/0.6.0/experimental.json"),
            ),
            (
                "namespace",
                include_str!("schema/hdmf-experimental/0.6.0/namespace.json"),
            ),
        ],
    },
];

/// Writes `/specifications` and the root `.specloc` reference to it.
pub fn write(file: &File) -> hdf5::Result<()> {
    let specifications = file.create_group("specifications")?;
    for namespace in NAMESPACES {
        let group: Group = specifications
            .create_group(namespace.name)?
            .create_group(namespace.version)?;
        for (name, json) in namespace.sources {
            super::typed::text(&group, name, json)?;
        }
    }
    let location = file.reference::<hdf5::ObjectReference1>("specifications")?;
    file.new_attr::<hdf5::ObjectReference1>()
        .create(".specloc")?
        .write_scalar(&location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_namespace_is_the_version_written() {
        let core = &NAMESPACES[0];
        assert_eq!((core.name, core.version), ("core", NWB_VERSION));
        let namespace = core
            .sources
            .iter()
            .find(|(n, _)| *n == "namespace")
            .unwrap()
            .1;
        let json: serde_json::Value = serde_json::from_str(namespace).unwrap();
        assert_eq!(json["namespaces"][0]["version"], NWB_VERSION);
    }

    #[test]
    fn every_cached_document_is_json() {
        for namespace in NAMESPACES {
            for (name, text) in namespace.sources {
                assert!(
                    serde_json::from_str::<serde_json::Value>(text).is_ok(),
                    "{}/{name}",
                    namespace.name
                );
            }
        }
    }
}
