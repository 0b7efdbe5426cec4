//! `macroscope figures` and `run`'s drawing options: a bad `--mask-below` is
//! refused before anything is read or run, naming the value.

use std::process::Command;

/// Runs `macroscope ARGS`; asserts it fails with exit code 2 and returns its stderr.
fn refused(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_macroscope"))
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "macroscope {args:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_mask_fraction_of_one_or_more_is_refused_naming_the_value() {
    for command in ["figures", "run"] {
        let stderr = refused(&[command, "missing.h5", "--mask-below", "1.5"]);
        assert!(
            stderr.starts_with(
                "error: invalid value '1.5' for '--mask-below <FRACTION>': \
                 `1.5` is not a fraction from 0 up to (not including) 1, e.g. 0.2\n"
            ),
            "{command}: {stderr}"
        );
    }
}
