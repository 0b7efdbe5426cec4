//! The port a stimulus producer declares for its schedule.

use macroscope_plugin_api::{ElementType, PortSpec};
use serde_json::{Map, Value};

use crate::attributes::ScheduleAttributes;
use crate::columns;

/// The conventional name of a stimulus's schedule port.
pub const NAME: &str = "schedule";

/// Builds a schedule port: a stream of f64 scalars (each row's `time_s`, unit s) with every column of
/// [`columns::ALL`] and the contract's attributes, plus any descriptive attributes a producer adds.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulePort {
    attributes: ScheduleAttributes,
    extra: Map<String, Value>,
}

impl SchedulePort {
    /// A schedule port carrying `attributes`.
    pub fn new(attributes: ScheduleAttributes) -> Self {
        SchedulePort {
            attributes,
            extra: Map::new(),
        }
    }

    /// Adds a descriptive attribute (e.g. `sweeps_per_direction`). The contract's own attributes
    /// always come from the [`ScheduleAttributes`]: an extra one of the same name is ignored.
    pub fn with_attribute(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// The port spec.
    pub fn spec(&self) -> PortSpec {
        let mut attributes = self.extra.clone();
        if let Value::Object(contract) = self.attributes.to_json() {
            attributes.extend(contract);
        }
        columns::ALL
            .iter()
            .fold(
                PortSpec::stream(NAME, ElementType::F64, &[])
                    .with_unit("s")
                    .with_description(
                        "stimulus state of every displayed frame; the value is the frame's time_s",
                    ),
                |port, column| port.with_column(column.spec()),
            )
            .with_attributes(&Value::Object(attributes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::{PerAxis, PerDirection};
    use crate::Direction;
    use macroscope_plugin_api::PortKind;
    use serde_json::json;

    fn attributes() -> ScheduleAttributes {
        ScheduleAttributes {
            directions: vec![Direction::LR, Direction::RL],
            display_rate_hz: 60.0,
            sweep_duration_s: PerAxis {
                azimuth: Some(10.0),
                altitude: None,
            },
            bar_start_deg: PerDirection {
                lr: Some(-10.0),
                rl: Some(110.0),
                ..PerDirection::default()
            },
            travel_deg: PerAxis {
                azimuth: Some(120.0),
                altitude: None,
            },
            bar_width_deg: Some(20.0),
        }
    }

    #[test]
    fn the_port_is_a_stream_of_times_with_every_column_in_contract_order() {
        let spec = SchedulePort::new(attributes()).spec();
        assert_eq!(
            (
                spec.name.as_str(),
                spec.kind,
                spec.element,
                spec.shape.len()
            ),
            ("schedule", PortKind::STREAM, ElementType::F64, 0)
        );
        let names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "frame_index",
                "direction",
                "sweep",
                "bar_centre_deg",
                "polarity",
                "indicator"
            ]
        );
    }

    #[test]
    fn what_the_builder_declares_its_consumers_read_back() {
        let spec = SchedulePort::new(attributes())
            .with_attribute("sweeps_per_direction", json!(3))
            .with_attribute("display_rate_hz", json!(1.0))
            .spec();
        assert_eq!(ScheduleAttributes::from_port(&spec), Ok(attributes()));
        assert_eq!(spec.attributes_json()["sweeps_per_direction"], 3);
        assert_eq!(spec.attributes_json()["display_rate_hz"], 60.0);
    }
}
