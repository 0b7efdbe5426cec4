//! The running stage: keeps the two input arrays, then computes every map once both are in.

use macroscope_plugin_api::{Item, Outputs, PluginError, Scalar};
use macroscope_schedule::{Axis, Direction};
use ndarray::{Array2, ArrayView2, ArrayView3, Axis as NdAxis};

use crate::areas::{find_areas, Maps};
use crate::axis_maps::{axis_maps, AxisMaps, DirectionMaps};
use crate::params::Params;
use crate::patches::find_patches;
use crate::ports::{output, InputLayout, Mode};
use crate::sign_map::visual_field_sign;
use crate::smoothing::gaussian_filter;

/// State of a running `retinotopy` stage.
pub struct RetinotopyStage {
    params: Params,
    layout: InputLayout,
    /// The arrays received so far, by input index.
    received: Vec<Option<Vec<f64>>>,
}

impl RetinotopyStage {
    /// A stage waiting for its inputs.
    pub fn new(params: Params, layout: InputLayout, inputs: usize) -> Self {
        RetinotopyStage {
            params,
            layout,
            received: vec![None; inputs],
        }
    }

    /// Keeps the array of input `input`.
    pub fn receive(&mut self, input: usize, item: Item<'_>) -> Result<(), PluginError> {
        let slot = self
            .received
            .get_mut(input)
            .ok_or_else(|| PluginError::new(format!("retinotopy has no input {input}")))?;
        *slot = Some(item.data::<f64>()?.to_vec());
        Ok(())
    }

    fn input(&self, index: usize) -> Result<&[f64], PluginError> {
        self.received[index].as_deref().ok_or_else(|| {
            PluginError::new(format!(
                "retinotopy: input {index} ended without sending its dataset"
            ))
        })
    }

    fn map(&self, index: usize) -> Result<ArrayView2<'_, f64>, PluginError> {
        let shape = (self.layout.height, self.layout.width);
        ArrayView2::from_shape(shape, self.input(index)?).map_err(|e| {
            PluginError::new(format!(
                "retinotopy: input {index} is not a {shape:?} map: {e}"
            ))
        })
    }

    /// Position, delay and power maps of both axes.
    fn axes(&self) -> Result<[AxisMaps; 2], PluginError> {
        match &self.layout.mode {
            Mode::Maps { azimuth, altitude } => {
                let nan = Array2::from_elem((self.layout.height, self.layout.width), f64::NAN);
                let given = |position: ArrayView2<'_, f64>| AxisMaps {
                    position_deg: position.to_owned(),
                    delay: nan.clone(),
                    power: nan.clone(),
                };
                Ok([given(self.map(*azimuth)?), given(self.map(*altitude)?)])
            }
            Mode::Phases {
                phase,
                magnitude,
                directions,
                azimuth,
                altitude,
            } => {
                let shape = (directions.len(), self.layout.height, self.layout.width);
                let volume = |index: usize| -> Result<ArrayView3<'_, f64>, PluginError> {
                    ArrayView3::from_shape(shape, self.input(index)?).map_err(|e| {
                        PluginError::new(format!("retinotopy: input {index} is not {shape:?}: {e}"))
                    })
                };
                let (phase, magnitude) = (volume(*phase)?, volume(*magnitude)?);
                let direction = |d: Direction| {
                    let plane = directions
                        .iter()
                        .position(|&listed| listed == d)
                        .expect("checked at configure");
                    DirectionMaps {
                        phase: phase.index_axis(NdAxis(0), plane),
                        magnitude: magnitude.index_axis(NdAxis(0), plane),
                    }
                };
                let axis = |axis: Axis, geometry| {
                    let (forward, reverse) = axis.forward_and_reverse();
                    axis_maps(direction(forward), direction(reverse), geometry)
                };
                Ok([axis(Axis::Azimuth, azimuth), axis(Axis::Altitude, altitude)])
            }
        }
    }

    /// Computes and emits every output.
    pub fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        let [azimuth, altitude] = self.axes()?;
        let azimuth_smoothed = gaussian_filter(&azimuth.position_deg, self.params.phase_sigma_px);
        let altitude_smoothed = gaussian_filter(&altitude.position_deg, self.params.phase_sigma_px);
        let sign = visual_field_sign(&azimuth_smoothed, &altitude_smoothed);
        let sign_smoothed = gaussian_filter(&sign, self.params.sign_sigma_px);
        let (labels, patches) = find_patches(&sign_smoothed, &self.params.patch_rules());
        if patches.is_empty() {
            out.warn(self.params.no_patch_warning());
        }
        let maps = Maps {
            altitude: altitude_smoothed,
            azimuth: azimuth_smoothed,
            sign_smoothed,
        };
        let (area_labels, areas) =
            find_areas(&maps, &self.params.patch_rules(), &self.params.area_rules());
        let sign_smoothed = maps.sign_smoothed;

        let flat = |a: Array2<f64>| a.into_raw_vec_and_offset().0;
        out.emit(output::AZIMUTH_DEG, flat(azimuth.position_deg), &[]);
        out.emit(output::ALTITUDE_DEG, flat(altitude.position_deg), &[]);
        out.emit(output::AZIMUTH_DELAY, flat(azimuth.delay), &[]);
        out.emit(output::ALTITUDE_DELAY, flat(altitude.delay), &[]);
        out.emit(output::AZIMUTH_POWER, flat(azimuth.power), &[]);
        out.emit(output::ALTITUDE_POWER, flat(altitude.power), &[]);
        out.emit(output::SIGN_MAP, flat(sign), &[]);
        out.emit(output::SIGN_MAP_SMOOTHED, flat(sign_smoothed), &[]);
        out.emit(output::AREA_LABELS, labels.into_raw_vec_and_offset().0, &[]);
        for patch in patches {
            let meta = [
                Scalar::Int(patch.sign.into()),
                Scalar::Int(patch.area_px),
                Scalar::Float(patch.centroid_row),
                Scalar::Float(patch.centroid_col),
                Scalar::Float(patch.mean_vfs),
            ];
            out.emit(output::PATCHES, vec![patch.label], &meta);
        }
        out.emit(output::AREAS, area_labels.into_raw_vec_and_offset().0, &[]);
        for area in areas {
            let meta = [
                Scalar::Int(area.name.into()),
                Scalar::Int(area.sign.into()),
                Scalar::Int(area.area_px),
                Scalar::Float(area.centroid_row),
                Scalar::Float(area.centroid_col),
                Scalar::Float(area.mean_vfs),
                Scalar::Float(area.coverage_deg2),
            ];
            out.emit(output::AREA_TABLE, vec![area.label], &meta);
        }
        Ok(())
    }
}
