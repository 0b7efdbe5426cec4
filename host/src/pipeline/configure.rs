//! Configuring one stage through the plugin ABI, and working out which input a
//! refusal is about: plugins check their own inputs' kind, type and shape.

use abi_stable::std_types::RResult;
use macroscope_plugin_api::ffi::ConfiguredStage;
use macroscope_plugin_api::{InputPort, PortSpec};

use crate::registry::RegisteredPlugin;

/// Calls the plugin's `configure` with `params` (JSON) and the input specs.
pub(crate) fn configure(
    plugin: &RegisteredPlugin,
    params: &serde_json::Value,
    inputs: &[InputPort],
) -> Result<ConfiguredStage, String> {
    let params = params.to_string();
    match (plugin.descriptor.configure)(params.as_str().into(), inputs.into()) {
        RResult::ROk(stage) => Ok(stage),
        RResult::RErr(message) => Err(message.into_string()),
    }
}

/// The input a configure error is about: the one whose source the message
/// quotes first, else the one whose port name it mentions first as a word,
/// else the only one.
pub(crate) fn blamed_input(message: &str, inputs: &[InputPort]) -> Option<usize> {
    let first_mention = |find: &dyn Fn(&InputPort) -> Option<usize>| {
        inputs
            .iter()
            .enumerate()
            .filter_map(|(i, input)| Some((find(input)?, i)))
            .min()
            .map(|(_, i)| i)
    };
    first_mention(&|input| message.find(input.source.as_str()))
        .or_else(|| first_mention(&|input| word_position(message, input.spec.name.as_str())))
        .or((inputs.len() == 1).then_some(0))
}

/// Where `word` first occurs in `text` not as part of a longer identifier.
fn word_position(text: &str, word: &str) -> Option<usize> {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// `stream u16 [480, 640]`: kind, element type and item shape of a port.
pub fn describe_port(spec: &PortSpec) -> String {
    let shape: Vec<String> = spec.shape.iter().map(u64::to_string).collect();
    format!(
        "{} {} [{}]",
        spec.kind.as_str(),
        spec.element,
        shape.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use macroscope_plugin_api::ElementType;

    use super::*;

    fn input(source: &str, port: &str) -> InputPort {
        InputPort {
            source: source.into(),
            spec: PortSpec::stream(port, ElementType::U16, &[4, 4]),
        }
    }

    #[test]
    fn a_port_spec_reads_as_kind_type_and_shape() {
        assert_eq!(
            describe_port(&PortSpec::dataset("phase", ElementType::F64, &[4, 60, 80])),
            "dataset f64 [4, 60, 80]"
        );
        assert_eq!(
            describe_port(&PortSpec::stream("t", ElementType::F64, &[])),
            "stream f64 []"
        );
    }

    #[test]
    fn the_input_a_message_quotes_is_blamed() {
        let inputs = [
            input("camera.frames", "frames"),
            input("stimulus.schedule", "schedule"),
        ];
        assert_eq!(
            blamed_input("input `stimulus.schedule` must be f64", &inputs),
            Some(1)
        );
        assert_eq!(
            blamed_input("`frames` must be u16 [H, W]", &inputs),
            Some(0)
        );
    }

    #[test]
    fn of_two_quoted_inputs_the_first_mentioned_is_blamed() {
        let inputs = [
            input("long.signal", "signal"),
            input("short.signal", "signal"),
        ];
        assert_eq!(
            blamed_input(
                "`short.signal` has shape [3] but `long.signal` has [4]",
                &inputs
            ),
            Some(1)
        );
    }

    #[test]
    fn a_port_name_inside_another_word_is_not_a_mention() {
        let inputs = [input("a.frame", "frame"), input("b.x", "x")];
        assert_eq!(blamed_input("frames_total is wrong", &inputs), None);
    }

    #[test]
    fn a_single_input_is_blamed_when_the_message_names_none() {
        assert_eq!(
            blamed_input("wrong element type", &[input("a.b", "b")]),
            Some(0)
        );
    }
}
