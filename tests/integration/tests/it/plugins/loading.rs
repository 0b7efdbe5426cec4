//! Plugin libraries built as real `cdylib`s, loaded from a directory by the
//! host's registry, and run through the plugin harness.

use std::path::Path;

use crate::built_plugins::{copied, plugin_dir, ABI_FUTURE, BROKEN, EXAMPLE};
use macroscope::registry::{Origin, Registry, RegistryError, SearchPath};
use macroscope_plugin_api::{load::LoadError, Scalar};
use macroscope_plugin_harness::{PluginUnderTest, Timeline};
use sha2::{Digest, Sha256};

/// The registry of the plugin libraries in `dir` alone.
fn registry_of(dir: &Path) -> Registry {
    Registry::load(&SearchPath {
        dirs: vec![dir.to_owned()],
    })
    .expect("the directory is readable")
}

/// The SHA-256 of the file at `path`, in hex.
fn sha256_file(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn the_example_library_loads_from_a_directory_and_computes_frame_statistics() {
    let dir = plugin_dir(&[EXAMPLE]);
    let registry = registry_of(dir.path());
    let plugin = registry.lookup("example-frame-stats").unwrap();
    let library = copied(&dir, EXAMPLE);
    assert_eq!(
        plugin.origin,
        Origin::Library {
            sha256: sha256_file(&library),
            path: library,
        }
    );

    // Frame f is 100f + 4r + c on a 3 x 4 grid: mean 100f + 5.5, min 100f, max 100f + 11.
    let timeline = Timeline {
        rate_hz: 10.0,
        frames_per_sweep: 1,
        sweeps_per_direction: 1,
    };
    let frames = timeline.camera_frames(3, 4, |f, r, c| (100 * f + 4 * r + c) as u16);
    let output = PluginUnderTest::from_handle(plugin.handle)
        .run(&serde_json::json!({}), &[frames])
        .unwrap();
    let stats = output.port("stats").unwrap();
    assert_eq!(
        stats.values::<f64>().unwrap(),
        [
            [5.5, 0.0, 11.0],
            [105.5, 100.0, 111.0],
            [205.5, 200.0, 211.0],
            [305.5, 300.0, 311.0]
        ]
    );
    let frame_ids: Vec<Scalar> = stats.items.iter().map(|e| e.meta[0]).collect();
    assert_eq!(frame_ids, [0, 1, 2, 3].map(Scalar::Int));
}

#[test]
fn two_plugin_files_load_side_by_side_into_one_process() {
    let dir = plugin_dir(&[EXAMPLE, BROKEN]);
    let registry = registry_of(dir.path());
    let origin_of = |name: &str| registry.lookup(name).unwrap().origin.to_string();
    assert_eq!(
        origin_of("example-frame-stats"),
        copied(&dir, EXAMPLE).display().to_string()
    );
    assert_eq!(
        origin_of("broken"),
        copied(&dir, BROKEN).display().to_string()
    );
    assert_eq!(registry.failures().count(), 0);
}

#[test]
fn a_library_for_another_abi_is_refused_naming_the_file_and_both_versions() {
    let dir = plugin_dir(&[ABI_FUTURE, EXAMPLE]);
    let registry = registry_of(dir.path());
    let failures: Vec<String> = registry.failures().map(|f| f.to_string()).collect();
    assert_eq!(
        failures,
        [format!(
            "{}: built for plugin ABI 3, this host speaks ABI 2; \
             rebuild the plugin against macroscope-plugin-api 0.2",
            copied(&dir, ABI_FUTURE).display()
        )]
    );
    assert!(registry.get("abi-future").is_none());
    assert!(
        registry.get("example-frame-stats").is_some(),
        "a refused library must not stop the others"
    );
}

#[test]
fn the_loader_refuses_a_future_abi_with_a_typed_error() {
    let dir = plugin_dir(&[ABI_FUTURE]);
    let error = macroscope_plugin_api::load::load_library(&copied(&dir, ABI_FUTURE))
        .err()
        .unwrap();
    assert!(
        matches!(
            error,
            LoadError::AbiVersion {
                library: 3,
                host: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_byte_identical_copy_in_a_later_directory_is_skipped_and_reported() {
    let first = plugin_dir(&[EXAMPLE]);
    let second = plugin_dir(&[EXAMPLE]);
    let registry = Registry::load(&SearchPath {
        dirs: vec![first.path().to_owned(), second.path().to_owned()],
    })
    .unwrap();
    assert_eq!(
        registry
            .lookup("example-frame-stats")
            .unwrap()
            .origin
            .to_string(),
        copied(&first, EXAMPLE).display().to_string()
    );
    let duplicates: Vec<String> = registry
        .duplicates()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        duplicates,
        [format!(
            "{}: skipped, identical to {} (same SHA-256)",
            copied(&second, EXAMPLE).display(),
            copied(&first, EXAMPLE).display()
        )]
    );
}

#[test]
fn two_different_files_providing_one_plugin_name_are_a_conflict_naming_both() {
    let first = plugin_dir(&[EXAMPLE]);
    let second = plugin_dir(&[EXAMPLE]);
    // Bytes after the end of an ELF file are ignored by the loader: same plugin, different file.
    let rebuilt = copied(&second, EXAMPLE);
    let mut bytes = std::fs::read(&rebuilt).unwrap();
    bytes.extend_from_slice(b"rebuilt");
    std::fs::write(&rebuilt, bytes).unwrap();

    let registry = Registry::load(&SearchPath {
        dirs: vec![first.path().to_owned(), second.path().to_owned()],
    })
    .unwrap();
    let error = registry.lookup("example-frame-stats").err().unwrap();
    assert!(matches!(error, RegistryError::Conflict(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `example-frame-stats` is provided by {} and by {}; remove all but one from the search path",
            copied(&first, EXAMPLE).display(),
            rebuilt.display()
        )
    );
}

#[test]
fn an_unknown_plugin_lists_available_names_searched_dirs_and_failed_libraries() {
    let dir = plugin_dir(&[EXAMPLE, ABI_FUTURE]);
    let registry = registry_of(dir.path());
    let message = registry.lookup("no-such-plugin").err().unwrap().to_string();
    assert!(
        message.starts_with("unknown plugin `no-such-plugin`; available plugins: "),
        "{message}"
    );
    assert!(message.contains("example-frame-stats"), "{message}");
    assert!(
        message.contains(&format!("searched for in: {}", dir.path().display())),
        "{message}"
    );
    assert!(
        message.ends_with(&format!(
            "These libraries failed to load (see `macroscope plugins`): {}",
            copied(&dir, ABI_FUTURE).display()
        )),
        "{message}"
    );
}

#[test]
fn asking_for_the_plugin_of_a_refused_library_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // Installed under the name of the crate it claims to be.
    let installed = dir.path().join(format!(
        "{}example_frame_stats{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    std::fs::copy(crate::built_plugins::library(ABI_FUTURE), &installed).unwrap();
    let registry = registry_of(dir.path());
    let message = registry
        .lookup("example-frame-stats")
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        message,
        format!(
            "plugin `example-frame-stats` is unavailable: its library failed to load: {}: built for plugin ABI 3, \
             this host speaks ABI 2; rebuild the plugin against macroscope-plugin-api 0.2",
            installed.display()
        )
    );
}
