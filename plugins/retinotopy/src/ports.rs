//! The stage's inputs (either mode, found by port name) and the outputs it declares.

use macroscope_plugin_api::{ColumnSpec, ElementType, InputPort, PortKind, PortSpec};
use macroscope_schedule::{Axis, Direction, ScheduleAttributeError, ScheduleAttributes};
use serde_json::json;

use crate::areas::naming::{NAMES, NAMING_RULE};
use crate::params::Params;
use crate::phase_to_degrees::AxisGeometry;

/// Why the inputs cannot be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortError {
    /// Neither complete input set is connected.
    #[error(
        "needs either `phase` and `magnitude` (from fourier-maps) or `azimuth_deg` and `altitude_deg` \
         (2-D maps in degrees); got inputs named {0:?}"
    )]
    NoMode(Vec<String>),
    /// An input is not the kind of array this mode needs.
    #[error("input `{port}` from {from} must be {expected}, found a {found}")]
    WrongSpec {
        /// Port name.
        port: String,
        /// Where it comes from.
        from: String,
        /// What is required.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The phase maps lack a direction needed to cancel the delay.
    #[error("input `phase` lacks direction {0}: each axis needs both of its opposite directions")]
    MissingDirection(&'static str),
    /// The phase port's attributes (the stimulus schedule's, carried along) lack something.
    #[error("input `phase`: {0}")]
    Attribute(#[from] ScheduleAttributeError),
}

impl PortError {
    /// The input port the error is about, if it is about one (for a set of
    /// inputs that fits neither mode: the first one neither mode names).
    pub fn port(&self) -> Option<&str> {
        const NAMED: [&str; 4] = ["phase", "magnitude", "azimuth_deg", "altitude_deg"];
        match self {
            PortError::NoMode(names) => names
                .iter()
                .find(|n| !NAMED.contains(&n.as_str()))
                .map(String::as_str),
            PortError::WrongSpec { port, .. } => Some(port),
            PortError::MissingDirection(_) | PortError::Attribute(_) => Some("phase"),
        }
    }
}

/// Which inputs the stage works from.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Mode (a): per-direction phase and magnitude maps.
    Phases {
        /// Index of the `phase` input.
        phase: usize,
        /// Index of the `magnitude` input.
        magnitude: usize,
        /// Direction of each plane of the `[D, H, W]` inputs.
        directions: Vec<Direction>,
        /// Bar geometry of the azimuth directions.
        azimuth: AxisGeometry,
        /// Bar geometry of the altitude directions.
        altitude: AxisGeometry,
    },
    /// Mode (b): position maps in degrees made elsewhere.
    Maps {
        /// Index of the `azimuth_deg` input.
        azimuth: usize,
        /// Index of the `altitude_deg` input.
        altitude: usize,
    },
}

impl Mode {
    /// Short name written into the outputs' attributes.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Phases { .. } => "phases",
            Mode::Maps { .. } => "maps",
        }
    }
}

/// The inputs, resolved once at configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct InputLayout {
    /// Which inputs are used.
    pub mode: Mode,
    /// Map height in pixels.
    pub height: usize,
    /// Map width in pixels.
    pub width: usize,
    /// Camera pixels per side of one map pixel, when the inputs record it
    /// (`fourier-maps`' port attribute `pixel_binning`); passed on to the outputs.
    pub pixel_binning: Option<u64>,
}

/// The port attribute giving the camera pixels per side of one map pixel.
pub const PIXEL_BINNING: &str = "pixel_binning";

/// The `pixel_binning` attribute of an input, when it has one.
fn pixel_binning(port: &InputPort) -> Option<u64> {
    port.spec.attributes_json()[PIXEL_BINNING].as_u64()
}

fn index_of(inputs: &[InputPort], name: &str) -> Option<usize> {
    inputs.iter().position(|p| p.spec.name.as_str() == name)
}

fn check_dataset(port: &InputPort, dims: usize) -> Result<Vec<usize>, PortError> {
    let s = &port.spec;
    if s.kind == PortKind::DATASET && s.element == ElementType::F64 && s.shape.len() == dims {
        return Ok(s.shape.iter().map(|&d| d as usize).collect());
    }
    Err(PortError::WrongSpec {
        port: s.name.to_string(),
        from: port.source.to_string(),
        expected: format!("an f64 dataset with {dims} dimensions"),
        found: format!(
            "{} of {} {:?}",
            s.kind.as_str(),
            s.element,
            s.shape.as_slice()
        ),
    })
}

fn same_shape(expected: &[usize], port: &InputPort, shape: &[usize]) -> Result<(), PortError> {
    if expected == shape {
        return Ok(());
    }
    Err(PortError::WrongSpec {
        port: port.spec.name.to_string(),
        from: port.source.to_string(),
        expected: format!("the same shape as its partner, {expected:?}"),
        found: format!("dataset of shape {shape:?}"),
    })
}

impl InputLayout {
    /// Finds the inputs of mode (a) or (b) and checks them.
    pub fn resolve(inputs: &[InputPort]) -> Result<Self, PortError> {
        let phases = (index_of(inputs, "phase"), index_of(inputs, "magnitude"));
        let maps = (
            index_of(inputs, "azimuth_deg"),
            index_of(inputs, "altitude_deg"),
        );
        match (phases, maps) {
            ((Some(phase), Some(magnitude)), (None, None)) => {
                Self::phases(inputs, phase, magnitude)
            }
            ((None, None), (Some(azimuth), Some(altitude))) => {
                let shape = check_dataset(&inputs[azimuth], 2)?;
                same_shape(
                    &shape,
                    &inputs[altitude],
                    &check_dataset(&inputs[altitude], 2)?,
                )?;
                Ok(InputLayout {
                    mode: Mode::Maps { azimuth, altitude },
                    height: shape[0],
                    width: shape[1],
                    pixel_binning: pixel_binning(&inputs[azimuth]),
                })
            }
            _ => Err(PortError::NoMode(
                inputs.iter().map(|p| p.spec.name.to_string()).collect(),
            )),
        }
    }

    fn phases(inputs: &[InputPort], phase: usize, magnitude: usize) -> Result<Self, PortError> {
        let shape = check_dataset(&inputs[phase], 3)?;
        same_shape(
            &shape,
            &inputs[magnitude],
            &check_dataset(&inputs[magnitude], 3)?,
        )?;
        let schedule = ScheduleAttributes::from_port(&inputs[phase].spec)?;
        if schedule.directions.len() != shape[0] {
            return Err(PortError::WrongSpec {
                port: "phase".into(),
                from: inputs[phase].source.to_string(),
                expected: format!(
                    "one plane per listed direction ({})",
                    schedule.directions.len()
                ),
                found: format!("dataset of shape {shape:?}"),
            });
        }
        let geometry = |axis: Axis| {
            AxisGeometry::from_schedule(&schedule, axis)
                .map_err(|missing| PortError::MissingDirection(missing.name()))
        };
        Ok(InputLayout {
            mode: Mode::Phases {
                phase,
                magnitude,
                azimuth: geometry(Axis::Azimuth)?,
                altitude: geometry(Axis::Altitude)?,
                directions: schedule.directions.clone(),
            },
            height: shape[1],
            width: shape[2],
            pixel_binning: pixel_binning(&inputs[phase]),
        })
    }
}

/// Output port indices, in declaration order.
pub mod output {
    /// `azimuth_deg` f64 [H, W].
    pub const AZIMUTH_DEG: usize = 0;
    /// `altitude_deg` f64 [H, W].
    pub const ALTITUDE_DEG: usize = 1;
    /// `azimuth_delay` f64 [H, W].
    pub const AZIMUTH_DELAY: usize = 2;
    /// `altitude_delay` f64 [H, W].
    pub const ALTITUDE_DELAY: usize = 3;
    /// `azimuth_power` f64 [H, W].
    pub const AZIMUTH_POWER: usize = 4;
    /// `altitude_power` f64 [H, W].
    pub const ALTITUDE_POWER: usize = 5;
    /// `sign_map` f64 [H, W].
    pub const SIGN_MAP: usize = 6;
    /// `sign_map_smoothed` f64 [H, W].
    pub const SIGN_MAP_SMOOTHED: usize = 7;
    /// `area_labels` i32 [H, W].
    pub const AREA_LABELS: usize = 8;
    /// `patches` stream of i32 labels with the patch table as columns.
    pub const PATCHES: usize = 9;
    /// `areas` i32 [H, W]: the refined, named areas.
    pub const AREAS: usize = 10;
    /// `area_table` stream of i32 labels with the area table as columns.
    pub const AREA_TABLE: usize = 11;
}

/// Declares every output, with the parameters and conventions as attributes.
pub fn output_ports(layout: &InputLayout, params: &Params) -> Vec<PortSpec> {
    let mut attributes = json!({
        "mode": layout.mode.name(),
        "phase_sigma_px": params.phase_sigma_px,
        "sign_sigma_px": params.sign_sigma_px,
        "sign_threshold": params.sign_threshold,
        "open_iterations": params.open_iterations,
        "min_patch_px": params.min_patch_px,
        "vfs_formula": "sin(angle(exp(i g_alt) exp(-i g_azi))), g = atan2(d/dcol, d/drow) of the Gaussian-smoothed maps (Allen, Zhuang et al. 2017)",
    });
    if let Some(bin) = layout.pixel_binning {
        attributes[PIXEL_BINNING] = json!(bin);
    }
    let mut area_attributes = attributes.clone();
    let rules = params.area_rules();
    for (key, value) in [
        ("close_iterations", json!(rules.close_iterations)),
        ("dilation_iterations", json!(rules.dilation_iterations)),
        ("border_width_px", json!(rules.border_width_px)),
        ("eccentricity_box_px", json!(rules.eccentricity_box_px)),
        ("split_cut_step_deg", json!(rules.split_cut_step_deg)),
        (
            "split_overlap_threshold",
            json!(rules.split_overlap_threshold),
        ),
        (
            "merge_overlap_threshold",
            json!(rules.merge_overlap_threshold),
        ),
        (
            "visual_space_pixel_deg",
            json!(rules.visual_space_pixel_deg),
        ),
        (
            "visual_space_close_iterations",
            json!(rules.visual_space_close_iterations),
        ),
        (
            "name_distance_v1_radii",
            json!(rules.name_distance_v1_radii),
        ),
        (
            "area_names",
            json!(std::iter::once(&"unnamed")
                .chain(NAMES.iter())
                .collect::<Vec<_>>()),
        ),
        ("naming_rule", json!(NAMING_RULE)),
    ] {
        area_attributes[key] = value;
    }
    let shape = [layout.height as u64, layout.width as u64];
    let map = |name: &str, unit: &str, description: &str| {
        PortSpec::dataset(name, ElementType::F64, &shape)
            .with_unit(unit)
            .with_description(description)
            .with_attributes(&attributes)
    };
    let nan_in_maps_mode = "; NaN when the input was position maps";
    vec![
        map(
            "azimuth_deg",
            "deg",
            "Azimuth of each pixel's receptive field",
        ),
        map(
            "altitude_deg",
            "deg",
            "Altitude of each pixel's receptive field",
        ),
        map(
            "azimuth_delay",
            "rad",
            &format!("Hemodynamic delay phase of the azimuth sweeps, (0, pi]{nan_in_maps_mode}"),
        ),
        map(
            "altitude_delay",
            "rad",
            &format!("Hemodynamic delay phase of the altitude sweeps, (0, pi]{nan_in_maps_mode}"),
        ),
        map(
            "azimuth_power",
            "",
            &format!("Mean dR/R amplitude of LR and RL{nan_in_maps_mode}"),
        ),
        map(
            "altitude_power",
            "",
            &format!("Mean dR/R amplitude of BT and TB{nan_in_maps_mode}"),
        ),
        map("sign_map", "", "Visual field sign, raw"),
        map(
            "sign_map_smoothed",
            "",
            "Visual field sign smoothed with sign_sigma_px",
        ),
        PortSpec::dataset("area_labels", ElementType::I32, &shape)
            .with_description("Patch label of each pixel (0 = no patch), as in the patches table")
            .with_attributes(&attributes),
        PortSpec::stream("patches", ElementType::I32, &[])
            .with_description("One item per patch: its label")
            .with_column(ColumnSpec::new(
                "sign",
                ElementType::I8,
                "",
                "+1 non-mirror, -1 mirror-image field sign",
            ))
            .with_column(ColumnSpec::new(
                "area_px",
                ElementType::I64,
                "px",
                "Number of pixels",
            ))
            .with_column(ColumnSpec::new(
                "centroid_row",
                ElementType::F64,
                "px",
                "Mean row of the patch",
            ))
            .with_column(ColumnSpec::new(
                "centroid_col",
                ElementType::F64,
                "px",
                "Mean column of the patch",
            ))
            .with_column(ColumnSpec::new(
                "mean_vfs",
                ElementType::F64,
                "",
                "Mean smoothed sign over the patch",
            ))
            .with_attributes(&attributes),
        PortSpec::dataset("areas", ElementType::I32, &shape)
            .with_description(
                "Area label of each pixel after Allen's split/merge (0 = no area or a border line), as in area_table",
            )
            .with_attributes(&area_attributes),
        PortSpec::stream("area_table", ElementType::I32, &[])
            .with_description("One item per area, largest first: its label")
            .with_column(ColumnSpec::new(
                "name",
                ElementType::I32,
                "",
                "Index into the port attribute area_names (0 = unnamed)",
            ))
            .with_column(ColumnSpec::new(
                "sign",
                ElementType::I8,
                "",
                "+1 non-mirror, -1 mirror-image field sign",
            ))
            .with_column(ColumnSpec::new("area_px", ElementType::I64, "px", "Number of pixels"))
            .with_column(ColumnSpec::new(
                "centroid_row",
                ElementType::F64,
                "px",
                "Mean row of the area",
            ))
            .with_column(ColumnSpec::new(
                "centroid_col",
                ElementType::F64,
                "px",
                "Mean column of the area",
            ))
            .with_column(ColumnSpec::new(
                "mean_vfs",
                ElementType::F64,
                "",
                "Mean smoothed sign over the area",
            ))
            .with_column(ColumnSpec::new(
                "coverage_deg2",
                ElementType::F64,
                "deg2",
                "Visual space the area covers once (Allen's unique area)",
            ))
            .with_attributes(&area_attributes),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn port(name: &str, shape: &[u64], attributes: &Value) -> InputPort {
        InputPort {
            source: format!("up.{name}").into(),
            spec: PortSpec::dataset(name, ElementType::F64, shape).with_attributes(attributes),
        }
    }

    #[test]
    fn position_maps_select_mode_b() {
        let inputs = [
            port("altitude_deg", &[4, 5], &json!({})),
            port("azimuth_deg", &[4, 5], &json!({})),
        ];
        let layout = InputLayout::resolve(&inputs).unwrap();
        assert_eq!(
            layout.mode,
            Mode::Maps {
                azimuth: 1,
                altitude: 0
            }
        );
        assert_eq!((layout.height, layout.width), (4, 5));
    }

    #[test]
    fn unknown_inputs_are_refused_with_what_is_needed() {
        let error = InputLayout::resolve(&[port("frames", &[4, 5], &json!({}))]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "needs either `phase` and `magnitude` (from fourier-maps) or `azimuth_deg` and `altitude_deg` \
             (2-D maps in degrees); got inputs named [\"frames\"]"
        );
    }

    #[test]
    fn phases_without_an_opposite_direction_are_refused() {
        let attributes = json!({
            "directions": ["LR", "RL", "BT"],
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 10.0, "altitude": 10.0},
            "bar_start_deg": {"LR": -10.0, "RL": 110.0, "BT": -10.0},
            "travel_deg": {"azimuth": 120.0, "altitude": 120.0},
        });
        let inputs = [
            port("phase", &[3, 4, 5], &attributes),
            port("magnitude", &[3, 4, 5], &attributes),
        ];
        assert_eq!(
            InputLayout::resolve(&inputs).unwrap_err(),
            PortError::MissingDirection("TB")
        );
    }

    #[test]
    fn maps_of_different_shapes_are_refused() {
        let inputs = [
            port("azimuth_deg", &[4, 5], &json!({})),
            port("altitude_deg", &[5, 4], &json!({})),
        ];
        assert_eq!(
            InputLayout::resolve(&inputs).unwrap_err().to_string(),
            "input `altitude_deg` from up.altitude_deg must be the same shape as its partner, [4, 5], \
             found a dataset of shape [5, 4]"
        );
    }

    #[test]
    fn the_inputs_pixel_binning_is_passed_on_to_every_output() {
        let inputs = [
            port("azimuth_deg", &[4, 5], &json!({ "pixel_binning": 3 })),
            port("altitude_deg", &[4, 5], &json!({ "pixel_binning": 3 })),
        ];
        let layout = InputLayout::resolve(&inputs).unwrap();
        assert_eq!(layout.pixel_binning, Some(3));
        for output in output_ports(&layout, &Params::default()) {
            assert_eq!(
                output.attributes_json()[PIXEL_BINNING],
                json!(3),
                "{}",
                output.name
            );
        }
    }

    #[test]
    fn inputs_without_pixel_binning_give_outputs_without_it() {
        let inputs = [
            port("azimuth_deg", &[4, 5], &json!({})),
            port("altitude_deg", &[4, 5], &json!({})),
        ];
        let layout = InputLayout::resolve(&inputs).unwrap();
        let outputs = output_ports(&layout, &Params::default());
        assert!(outputs[0].attributes_json().get(PIXEL_BINNING).is_none());
    }
}
