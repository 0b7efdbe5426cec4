//! Errors a stage reports, typed so the host never parses their text.

use std::fmt;

use abi_stable::{
    std_types::{ROption, RString},
    StableAbi,
};

/// What went wrong, as a kind the host acts on (where to point the user, whether
/// the stage can be called again). The message says the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The stage failed for a reason of its own (a device, the data).
    Failed,
    /// A parameter is not acceptable; `field` is its path (`phase_sigma_px`,
    /// `roi.width`), empty when it is about the parameters as a whole.
    InvalidParameter {
        /// Path of the parameter.
        field: String,
    },
    /// The input at index `input` (in the order the pipeline wires them) is not
    /// one this stage can use.
    InputRejected {
        /// Index of the input.
        input: usize,
    },
    /// The plugin panicked; the panic was caught at the boundary and the stage
    /// is not called again.
    Panicked,
    /// The stage broke the contract (emitted on an undeclared port, or an item
    /// that does not match its port); the host found it, not the plugin.
    BrokeContract,
}

/// An error a stage reports; the host adds the stage and plugin names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    kind: ErrorKind,
    message: String,
}

impl PluginError {
    /// A failure of the stage's own (`ErrorKind::Failed`).
    pub fn new(message: impl Into<String>) -> Self {
        Self::of_kind(ErrorKind::Failed, message)
    }

    /// Parameter `field` (its path, e.g. `roi.width`) is not acceptable:
    /// say the range or the values allowed and what was given.
    pub fn parameter(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of_kind(
            ErrorKind::InvalidParameter {
                field: field.into(),
            },
            message,
        )
    }

    /// Input `input` (its index in the order the pipeline wires inputs) is not
    /// one this stage can use: say what it must be.
    pub fn input(input: usize, message: impl Into<String>) -> Self {
        Self::of_kind(ErrorKind::InputRejected { input }, message)
    }

    /// An error of any kind; for the host and the harness.
    pub fn of_kind(kind: ErrorKind, message: impl Into<String>) -> Self {
        PluginError {
            kind,
            message: message.into(),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Its message (without the plugin's or the stage's name).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

impl From<String> for PluginError {
    fn from(message: String) -> Self {
        PluginError::new(message)
    }
}

impl From<&str> for PluginError {
    fn from(message: &str) -> Self {
        PluginError::new(message)
    }
}

crate::codes::abi_code_type! {
    /// The kind of an [`FfiError`] as a code that later contracts may extend.
    ErrorCode ("error kind") {
        /// [`ErrorKind::Failed`]
        FAILED = 0, "failed";
        /// [`ErrorKind::InvalidParameter`]
        INVALID_PARAMETER = 1, "invalid parameter";
        /// [`ErrorKind::InputRejected`]
        INPUT_REJECTED = 2, "input rejected";
        /// [`ErrorKind::Panicked`]
        PANICKED = 3, "panicked";
    }
}

/// A [`PluginError`] as it crosses the ABI.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiError {
    /// The kind.
    pub kind: ErrorCode,
    /// The parameter's path, for `INVALID_PARAMETER`.
    pub field: RString,
    /// The input's index, for `INPUT_REJECTED`.
    pub input: ROption<u32>,
    /// What happened.
    pub message: RString,
}

impl From<PluginError> for FfiError {
    fn from(error: PluginError) -> Self {
        let (kind, field, input) = match error.kind {
            ErrorKind::Failed | ErrorKind::BrokeContract => {
                (ErrorCode::FAILED, String::new(), None)
            }
            ErrorKind::InvalidParameter { field } => (ErrorCode::INVALID_PARAMETER, field, None),
            ErrorKind::InputRejected { input } => {
                (ErrorCode::INPUT_REJECTED, String::new(), Some(input as u32))
            }
            ErrorKind::Panicked => (ErrorCode::PANICKED, String::new(), None),
        };
        FfiError {
            kind,
            field: field.into(),
            input: input.into(),
            message: error.message.into(),
        }
    }
}

impl From<FfiError> for PluginError {
    /// A kind this release does not know (from a later contract) reads as `Failed`.
    fn from(error: FfiError) -> Self {
        let kind = match (error.kind, error.input) {
            (ErrorCode::INVALID_PARAMETER, _) => ErrorKind::InvalidParameter {
                field: error.field.into(),
            },
            (ErrorCode::INPUT_REJECTED, ROption::RSome(input)) => ErrorKind::InputRejected {
                input: input as usize,
            },
            (ErrorCode::PANICKED, _) => ErrorKind::Panicked,
            _ => ErrorKind::Failed,
        };
        PluginError::of_kind(kind, error.message.into_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_survives_the_boundary() {
        for error in [
            PluginError::new("camera gone"),
            PluginError::parameter("phase_sigma_px", "must be at least 0, got -1"),
            PluginError::input(1, "must be a schedule"),
            PluginError::of_kind(ErrorKind::Panicked, "boom"),
        ] {
            assert_eq!(PluginError::from(FfiError::from(error.clone())), error);
        }
    }

    #[test]
    fn a_kind_from_a_later_contract_reads_as_failed() {
        let later = FfiError {
            kind: ErrorCode::from_code(200),
            field: RString::new(),
            input: ROption::RNone,
            message: "new kind".into(),
        };
        assert_eq!(PluginError::from(later).kind(), &ErrorKind::Failed);
    }
}
