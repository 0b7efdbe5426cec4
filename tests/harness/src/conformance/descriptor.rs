//! Checks on what a plugin says about itself.

use macroscope_plugin_api::PluginHandle;

use super::{Check, CheckResult, Outcome};

/// `descriptor-complete`: a usable name, a description and at least one author.
pub(super) fn complete(plugin: &PluginHandle) -> CheckResult {
    let mut problems = Vec::new();
    if !is_plugin_name(plugin.name()) {
        problems.push(format!(
            "name `{}` is not lower-case words joined by dashes (like `frame-stats`)",
            plugin.name()
        ));
    }
    if plugin.description().trim().is_empty() {
        problems.push("the description is empty".to_owned());
    }
    let authors = plugin.authors();
    if authors.is_empty() {
        problems.push("no authors are listed".to_owned());
    } else if authors.iter().any(|a| a.trim().is_empty()) {
        problems.push("an author is blank".to_owned());
    }
    CheckResult {
        check: Check::DescriptorComplete,
        outcome: if problems.is_empty() {
            Outcome::Pass(String::new())
        } else {
            Outcome::Fail(problems.join("; "))
        },
    }
}

/// `version-semver`: the version parses as semver 2.0.
pub(super) fn semver(version: &str) -> CheckResult {
    CheckResult {
        check: Check::VersionSemver,
        outcome: match semver::Version::parse(version) {
            Ok(_) => Outcome::Pass(String::new()),
            Err(e) => Outcome::Fail(format!("`{version}` is not a semantic version: {e}")),
        },
    }
}

/// Lower-case ASCII letters and digits in dash-separated words, starting with a letter.
fn is_plugin_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names_are_dashed_lower_case_words() {
        assert!(is_plugin_name("drifting-bar"));
        assert!(is_plugin_name("fourier-maps2"));
        assert!(!is_plugin_name("Drifting-bar"));
        assert!(!is_plugin_name("drifting_bar"));
        assert!(!is_plugin_name("drifting--bar"));
        assert!(!is_plugin_name("-bar"));
        assert!(!is_plugin_name("2bar"));
        assert!(!is_plugin_name(""));
    }

    #[test]
    fn a_two_part_version_fails_semver_with_the_parser_s_reason() {
        assert_eq!(
            semver("1.0").outcome,
            Outcome::Fail("`1.0` is not a semantic version: unexpected end of input while parsing minor version number".to_owned())
        );
    }

    #[test]
    fn a_prerelease_version_is_semver() {
        assert_eq!(
            semver("0.3.0-alpha.1").outcome,
            Outcome::Pass(String::new())
        );
    }
}
