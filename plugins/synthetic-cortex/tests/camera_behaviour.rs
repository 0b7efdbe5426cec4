//! The `synthetic-cortex` camera driven through the `Plugin` trait with a
//! stimulus schedule built here, exactly as the port contract describes it.
// Reference computations: independent of the plugin's portable `libm`, so
// the platform's own functions are what a check should use (plugins/clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::hash::{DefaultHasher, Hash, Hasher};

use macroscope_plugin_api::{
    ColumnSpec, ElementType, Emission, ErrorKind, InputPort, PortSpec, Scalar,
};
use macroscope_plugin_harness::{HarnessError, OwnedItem, PluginUnderTest};
use serde_json::json;
use synthetic_cortex::{Params, SyntheticCortex};

const DISPLAY_RATE_HZ: f64 = 60.0;

/// A drifting-bar schedule: grey, then `sweeps` sweeps of each direction, then grey.
struct Schedule {
    directions: Vec<i8>,
    baseline_before_s: f64,
    baseline_after_s: f64,
    sweeps: i32,
    sweep_duration_s: f64,
    /// Azimuth and altitude travel from `start` to `start + travel` (LR, BT) or back (RL, TB).
    start_deg: [f64; 2],
    travel_deg: [f64; 2],
    bar_width_deg: f64,
}

/// One schedule row: time and the contract's columns.
#[derive(Debug, Clone, Copy)]
struct Row {
    time_s: f64,
    frame_index: i64,
    direction: i8,
    sweep: i32,
    bar_centre_deg: f64,
}

impl Schedule {
    fn new(directions: &[i8], sweeps: i32) -> Self {
        Schedule {
            directions: directions.to_vec(),
            baseline_before_s: 1.0,
            baseline_after_s: 1.0,
            sweeps,
            sweep_duration_s: 10.0,
            start_deg: [10.0, -30.0],
            travel_deg: [100.0, 80.0],
            bar_width_deg: 10.0,
        }
    }

    fn speed_deg_per_s(&self, axis: usize) -> f64 {
        self.travel_deg[axis] / self.sweep_duration_s
    }

    /// When sweep `sweep` of the `position`-th direction starts.
    fn sweep_start_s(&self, position: usize, sweep: i32) -> f64 {
        self.baseline_before_s
            + (position as f64 * self.sweeps as f64 + sweep as f64) * self.sweep_duration_s
    }

    fn rows(&self) -> Vec<Row> {
        let per_sweep = (self.sweep_duration_s * DISPLAY_RATE_HZ).round() as i64;
        let before = (self.baseline_before_s * DISPLAY_RATE_HZ).round() as i64;
        let after = (self.baseline_after_s * DISPLAY_RATE_HZ).round() as i64;
        let sweeping = per_sweep * self.sweeps as i64 * self.directions.len() as i64;
        (0..before + sweeping + after)
            .map(|frame_index| {
                let time_s = frame_index as f64 / DISPLAY_RATE_HZ;
                let k = frame_index - before;
                if k < 0 || k >= sweeping {
                    return Row {
                        time_s,
                        frame_index,
                        direction: -1,
                        sweep: -1,
                        bar_centre_deg: f64::NAN,
                    };
                }
                let direction = self.directions[(k / (per_sweep * self.sweeps as i64)) as usize];
                let sweep = ((k / per_sweep) % self.sweeps as i64) as i32;
                let tau = (k % per_sweep) as f64 / DISPLAY_RATE_HZ;
                let axis = usize::from(direction >= 2);
                let increasing = direction == 0 || direction == 2;
                let start = if increasing {
                    self.start_deg[axis]
                } else {
                    self.start_deg[axis] + self.travel_deg[axis]
                };
                let signed_speed = if increasing {
                    self.speed_deg_per_s(axis)
                } else {
                    -self.speed_deg_per_s(axis)
                };
                Row {
                    time_s,
                    frame_index,
                    direction,
                    sweep,
                    bar_centre_deg: start + signed_speed * tau,
                }
            })
            .collect()
    }

    /// The `schedule` port, its columns deliberately not in the contract's
    /// order: the camera must find them by name.
    fn port(&self) -> InputPort {
        let names = ["LR", "RL", "BT", "TB"];
        let spec = PortSpec::stream("schedule", ElementType::F64, &[])
            .with_unit("s")
            .with_column(ColumnSpec::new("polarity", ElementType::I8, "", ""))
            .with_column(ColumnSpec::new("bar_centre_deg", ElementType::F64, "deg", ""))
            .with_column(ColumnSpec::new("indicator", ElementType::U8, "", ""))
            .with_column(ColumnSpec::new("sweep", ElementType::I32, "", ""))
            .with_column(ColumnSpec::new("direction", ElementType::I8, "", ""))
            .with_column(ColumnSpec::new("frame_index", ElementType::I64, "", ""))
            .with_attributes(&json!({
                "directions": self.directions.iter().map(|&d| names[d as usize]).collect::<Vec<_>>(),
                "display_rate_hz": DISPLAY_RATE_HZ,
                "baseline_before_s": self.baseline_before_s,
                "baseline_after_s": self.baseline_after_s,
                "sweeps_per_direction": self.sweeps,
                "sweep_duration_s": {"azimuth": self.sweep_duration_s, "altitude": self.sweep_duration_s},
                "bar_start_deg": {
                    "LR": self.start_deg[0], "RL": self.start_deg[0] + self.travel_deg[0],
                    "BT": self.start_deg[1], "TB": self.start_deg[1] + self.travel_deg[1],
                },
                "travel_deg": {"azimuth": self.travel_deg[0], "altitude": self.travel_deg[1]},
                "bar_width_deg": self.bar_width_deg,
            }));
        InputPort {
            source: "stimulus.schedule".into(),
            spec,
        }
    }
}

/// Everything a run emitted, by port.
struct Run {
    frames: Vec<Vec<u16>>,
    meta: Vec<Vec<Scalar>>,
    datasets: Vec<Emission>,
    ports: Vec<PortSpec>,
}

impl Run {
    fn column(&self, name: &str) -> Vec<Scalar> {
        let index = self.ports[0].column_index(name).unwrap();
        self.meta.iter().map(|m| m[index]).collect()
    }

    fn dataset<T: macroscope_plugin_api::Element>(&self, name: &str) -> &[T] {
        let port = self
            .ports
            .iter()
            .position(|p| p.name.as_str() == name)
            .unwrap();
        self.datasets
            .iter()
            .find(|e| e.port as usize == port)
            .unwrap()
            .data
            .as_slice::<T>()
            .unwrap()
    }

    fn frames_hash(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.frames.hash(&mut hasher);
        hasher.finish()
    }
}

/// Runs the camera through its FFI descriptor (the plugin test harness), as the host does.
fn run(params: Params, schedule: &Schedule) -> Run {
    let params = serde_json::to_value(params).unwrap();
    let mut camera = PluginUnderTest::of::<SyntheticCortex>()
        .start_for(&params, &[schedule.port()])
        .unwrap();
    let ports = camera.outputs.clone();
    let port = schedule.port().spec;
    let mut emissions = Vec::new();
    for row in schedule.rows() {
        let mut meta = vec![Scalar::Int(0); port.columns.len()];
        meta[port.column_index("polarity").unwrap()] = Scalar::Int(1);
        meta[port.column_index("bar_centre_deg").unwrap()] = Scalar::Float(row.bar_centre_deg);
        meta[port.column_index("indicator").unwrap()] = Scalar::Int(255);
        meta[port.column_index("sweep").unwrap()] = Scalar::Int(row.sweep.into());
        meta[port.column_index("direction").unwrap()] = Scalar::Int(row.direction.into());
        meta[port.column_index("frame_index").unwrap()] = Scalar::Int(row.frame_index);
        let item = OwnedItem::new(vec![row.time_s], &[], meta);
        emissions.extend(camera.receive(0, &item).unwrap());
    }
    emissions.extend(camera.finish().unwrap());
    let (frames, datasets): (Vec<Emission>, Vec<Emission>) =
        emissions.into_iter().partition(|e| e.port == 0);
    Run {
        meta: frames.iter().map(|e| e.meta.to_vec()).collect(),
        frames: frames
            .iter()
            .map(|e| e.data.as_slice::<u16>().unwrap().to_vec())
            .collect(),
        datasets,
        ports,
    }
}

fn small(params: Params) -> Params {
    Params {
        width_px: 32,
        height_px: 32,
        ..params
    }
}

fn noise_free(params: Params) -> Params {
    Params {
        shot_noise: false,
        read_noise_counts: 0.0,
        ..params
    }
}

#[test]
fn one_frame_per_period_from_the_first_to_the_last_schedule_time_inclusive() {
    // 1 s grey + 10 s LR + 1 s grey = 720 rows; the last row is at 719/60 s.
    let schedule = Schedule::new(&[0], 1);
    // floor(719/60 · 10) + 1 = floor(119.83) + 1 = 120
    assert_eq!(run(small(Params::default()), &schedule).frames.len(), 120);
    // floor(719/60 · 7) + 1 = floor(83.88) + 1 = 84
    let at_7_hz = Params {
        frame_rate_hz: 7.0,
        ..small(Params::default())
    };
    assert_eq!(run(at_7_hz, &schedule).frames.len(), 84);
    // A last row exactly on an exposure time gets its frame: 721 rows end at 12 s → 121 frames.
    let longer = Schedule {
        baseline_after_s: 1.0 + 1.0 / 60.0,
        ..Schedule::new(&[0], 1)
    };
    assert_eq!(run(small(Params::default()), &longer).frames.len(), 121);
}

#[test]
fn timestamps_are_the_exposure_times_and_label_the_stimulus_on_screen() {
    let schedule = Schedule::new(&[0, 3], 1);
    let params = Params {
        frame_rate_hz: 12.0,
        ..small(Params::default())
    };
    let run = run(params, &schedule);
    let rows = schedule.rows();
    let frame_id = run.column("frame_id");
    let timestamp = run.column("timestamp_ns");
    let time_s = run.column("time_s");
    let direction = run.column("direction");
    let bar = run.column("bar_centre_deg");
    for k in 0..run.frames.len() {
        // Exposure k at k/12 s; the row on screen is the last shown at or before it: floor(k·60/12) = 5k.
        let expected_ns = (k as f64 * 1e9 / 12.0).round() as i64;
        assert_eq!(frame_id[k], Scalar::Int(k as i64));
        assert_eq!(timestamp[k], Scalar::Int(expected_ns));
        // time_s is the whole-nanosecond timestamp in seconds: within half a ns of k/12.
        assert!((time_s[k].as_f64() - k as f64 / 12.0).abs() <= 0.5e-9);
        let shown = rows[5 * k];
        assert_eq!(direction[k], Scalar::Int(shown.direction.into()));
        let b = bar[k].as_f64();
        assert!(
            b == shown.bar_centre_deg || (b.is_nan() && shown.bar_centre_deg.is_nan()),
            "frame {k}"
        );
    }
}

#[test]
fn jittered_exposures_stay_within_half_a_period_and_are_labelled_at_their_true_time() {
    let schedule = Schedule::new(&[0], 1);
    let params = Params {
        timestamp_jitter_s: 0.01,
        ..small(Params::default())
    };
    let run = run(params, &schedule);
    assert_eq!(run.frames.len(), 120);
    let rows = schedule.rows();
    let timestamps = run.column("timestamp_ns");
    let bars = run.column("bar_centre_deg");
    let mut moved = 0;
    for (k, (t, bar)) in timestamps.iter().zip(&bars).enumerate() {
        let offset = t.as_i64() - k as i64 * 100_000_000;
        assert!(offset.abs() <= 45_000_000, "frame {k} moved by {offset} ns");
        moved += usize::from(offset != 0);
        let shown = rows
            .iter()
            .rev()
            .find(|r| (r.time_s * 1e9).round() as i64 <= t.as_i64())
            .unwrap_or(&rows[0]);
        assert!(
            bar.as_f64() == shown.bar_centre_deg || shown.bar_centre_deg.is_nan(),
            "frame {k}"
        );
    }
    assert!(moved > 100);
}

#[test]
fn the_same_seed_gives_the_same_frames_and_another_seed_other_frames() {
    let schedule = Schedule::new(&[0], 1);
    let first = run(small(Params::default()), &schedule);
    let again = run(small(Params::default()), &schedule);
    let other = run(
        Params {
            seed: 2,
            ..small(Params::default())
        },
        &schedule,
    );
    assert_eq!(first.frames_hash(), again.frames_hash());
    assert_ne!(first.frames_hash(), other.frames_hash());
}

#[test]
fn before_the_delayed_stimulus_arrives_noise_free_frames_are_the_rounded_baseline() {
    let schedule = Schedule::new(&[0], 1);
    let run = run(noise_free(small(Params::default())), &schedule);
    let baseline: Vec<u16> = run
        .dataset::<f32>("baseline")
        .iter()
        .map(|b| b.round() as u16)
        .collect();
    // Grey for 1 s, then 1.5 s of delay: frames 0..=24 show no response.
    for k in 0..=24 {
        assert_eq!(run.frames[k], baseline, "frame {k}");
    }
    assert_ne!(run.frames[40], baseline);
}

#[test]
fn the_dip_is_deepest_when_the_delayed_bar_reaches_the_preferred_position() {
    let schedule = Schedule::new(&[0, 2], 1);
    for delay in [0.5, 1.5, 2.5] {
        let params = Params {
            hemodynamic_delay_s: delay,
            response_amplitude: 0.3,
            receptive_field_sigma_deg: 4.0,
            ..noise_free(small(Params::default()))
        };
        let run = run(params, &schedule);
        let azimuth = run.dataset::<f64>("true_azimuth_deg");
        let altitude = run.dataset::<f64>("true_altitude_deg");
        let times: Vec<f64> = run.column("time_s").iter().map(|t| t.as_f64()).collect();
        let mut checked = 0;
        for pixel in (0..32 * 32).filter(|&p| !azimuth[p].is_nan()).step_by(7) {
            for (position, axis, preferred) in [(0, 0, azimuth[pixel]), (1, 1, altitude[pixel])] {
                // The bar crosses `preferred` τ = (preferred − start)/speed into the sweep.
                let sweep_start = schedule.sweep_start_s(position, 0);
                let crossing = sweep_start
                    + (preferred - schedule.start_deg[axis]) / schedule.speed_deg_per_s(axis);
                let expected = crossing + delay;
                let window = sweep_start + delay..sweep_start + delay + schedule.sweep_duration_s;
                let deepest = (0..run.frames.len())
                    .filter(|&k| window.contains(&times[k]))
                    .min_by_key(|&k| run.frames[k][pixel])
                    .unwrap();
                assert!(
                    (times[deepest] - expected).abs() <= 0.1,
                    "delay {delay} s, pixel {pixel}, axis {axis}: deepest at {} s, expected {expected} s",
                    times[deepest]
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} pixel sweeps checked");
    }
}

#[test]
fn counts_are_realistic_twelve_bit_values() {
    let run = run(small(Params::default()), &Schedule::new(&[0], 1));
    let n = (run.frames.len() * 32 * 32) as f64;
    let mean = run
        .frames
        .iter()
        .flatten()
        .map(|&v| f64::from(v))
        .sum::<f64>()
        / n;
    assert!((2000.0..=3000.0).contains(&mean), "mean {mean} counts");
    assert!(run.frames.iter().flatten().all(|&v| v <= 4095));
    let baseline = run.dataset::<f32>("baseline");
    let darkest = baseline.iter().copied().fold(f32::MAX, f32::min);
    let brightest = baseline.iter().copied().fold(0.0, f32::max);
    assert!(
        brightest <= 2600.0 && darkest < 0.9 * brightest,
        "baseline {darkest}..{brightest}: no vessels?"
    );
}

/// Truth datasets of a 128×128 camera (no frames needed).
fn truth_128() -> (Vec<f64>, Vec<f64>, Vec<i8>, Vec<i32>) {
    let params = Params {
        width_px: 128,
        height_px: 128,
        ..Params::default()
    };
    let run = run(
        params,
        &Schedule {
            sweeps: 0,
            baseline_before_s: 0.1,
            ..Schedule::new(&[0], 0)
        },
    );
    (
        run.dataset::<f64>("true_azimuth_deg").to_vec(),
        run.dataset::<f64>("true_altitude_deg").to_vec(),
        run.dataset::<i8>("true_sign").to_vec(),
        run.dataset::<i32>("true_areas").to_vec(),
    )
}

#[test]
fn the_true_sign_is_the_visual_field_sign_of_the_true_maps() {
    let (azimuth, altitude, sign, areas) = truth_128();
    let n = 128;
    // Central differences, then Allen's VFS = sin(angle(e^{i·g_alt}·e^{−i·g_azi})),
    // g = atan2(∂/∂col, ∂/∂row), at pixels whose 5×5 neighbourhood lies in one area.
    let gradient_angle = |map: &[f64], r: usize, c: usize| {
        let d_row = (map[(r + 1) * n + c] - map[(r - 1) * n + c]) / 2.0;
        let d_col = (map[r * n + c + 1] - map[r * n + c - 1]) / 2.0;
        d_col.atan2(d_row)
    };
    let (mut agree, mut total) = (0, 0);
    for r in 2..n - 2 {
        for c in 2..n - 2 {
            let label = areas[r * n + c];
            let interior =
                (r - 2..=r + 2).all(|rr| (c - 2..=c + 2).all(|cc| areas[rr * n + cc] == label));
            if label == 0 || !interior {
                continue;
            }
            let vfs = (gradient_angle(&altitude, r, c) - gradient_angle(&azimuth, r, c)).sin();
            total += 1;
            agree += usize::from(vfs.signum() as i8 == sign[r * n + c]);
        }
    }
    assert!(total > 4000, "only {total} interior pixels");
    assert!(
        agree as f64 / total as f64 > 0.98,
        "{agree} of {total} agree"
    );
}

#[test]
fn touching_areas_have_opposite_signs() {
    let (_, _, sign, areas) = truth_128();
    let n = 128;
    let mut borders = std::collections::BTreeSet::new();
    for r in 0..n {
        for c in 0..n {
            let (label, s) = (areas[r * n + c], sign[r * n + c]);
            assert_eq!(label == 0, s == 0, "sign and label disagree at ({r}, {c})");
            for (rr, cc) in [(r + 1, c), (r, c + 1)]
                .into_iter()
                .filter(|&(rr, cc)| rr < n && cc < n)
            {
                let other = areas[rr * n + cc];
                if label != 0 && other != 0 && other != label {
                    assert_eq!(
                        s,
                        -sign[rr * n + cc],
                        "areas {label} and {other} touch with one sign"
                    );
                    borders.insert((label.min(other), label.max(other)));
                }
            }
        }
    }
    // V1 touches LM, AL, AM and PM; LM touches LI.
    assert_eq!(
        borders.into_iter().collect::<Vec<_>>(),
        [(1, 2), (1, 3), (1, 4), (1, 5), (2, 6)]
    );
}

#[test]
fn the_ports_follow_the_contract() {
    let params = serde_json::to_value(small(Params::default())).unwrap();
    let ports = PluginUnderTest::of::<SyntheticCortex>()
        .outputs_for(&params, &[Schedule::new(&[0], 1).port()])
        .unwrap();
    let described: Vec<(&str, ElementType, Vec<u64>)> = ports
        .iter()
        .map(|p| (p.name.as_str(), p.element, p.shape.to_vec()))
        .collect();
    let image = vec![32, 32];
    assert_eq!(
        described,
        [
            ("frames", ElementType::U16, image.clone()),
            ("true_azimuth_deg", ElementType::F64, image.clone()),
            ("true_altitude_deg", ElementType::F64, image.clone()),
            ("true_sign", ElementType::I8, image.clone()),
            ("true_areas", ElementType::I32, image.clone()),
            ("baseline", ElementType::F32, image),
        ]
    );
    let columns: Vec<(&str, ElementType)> = ports[0]
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.element))
        .collect();
    assert_eq!(
        columns,
        [
            ("frame_id", ElementType::U64),
            ("timestamp_ns", ElementType::I64),
            ("time_s", ElementType::F64),
            ("direction", ElementType::I8),
            ("sweep", ElementType::I32),
            ("bar_centre_deg", ElementType::F64),
        ]
    );
}

#[test]
fn outputs_refuses_anything_but_one_schedule_stream_naming_the_input() {
    let configure = |inputs: &[InputPort]| match PluginUnderTest::of::<SyntheticCortex>()
        .outputs_for(&serde_json::json!({}), inputs)
    {
        Err(HarnessError::Call { error, .. }) => {
            assert_eq!(error.kind(), &ErrorKind::InputRejected { input: 0 });
            error.message().to_owned()
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    let expected = "synthetic-cortex takes exactly one input, the `schedule` stream of a stimulus";
    assert!(configure(&[]).starts_with(expected));
    let schedule = Schedule::new(&[0], 1).port();
    assert!(configure(&[schedule.clone(), schedule.clone()]).starts_with(expected));
    let frames = InputPort {
        source: "stimulus.frames".into(),
        spec: PortSpec::stream("frames", ElementType::U8, &[4, 4]),
    };
    let message = configure(&[frames]);
    assert!(
        message.starts_with(expected) && message.contains("`stimulus.frames`"),
        "{message}"
    );

    let mut no_sweep = schedule.clone();
    no_sweep.spec.columns.retain(|c| c.name.as_str() != "sweep");
    assert!(configure(&[no_sweep]).starts_with("input `stimulus.schedule` has no column `sweep`"));
    let mut no_width = schedule.clone();
    let mut attributes = no_width.spec.attributes_json();
    attributes.as_object_mut().unwrap().remove("bar_width_deg");
    no_width.spec = no_width.spec.with_attributes(&attributes);
    assert!(configure(&[no_width])
        .starts_with("input `stimulus.schedule` has no numeric attribute `bar_width_deg`"));
    let mut no_attributes = schedule;
    no_attributes.spec.attributes = "{}".into();
    assert!(configure(&[no_attributes]).starts_with(
        "input `stimulus.schedule`: attribute `directions` is missing; attribute `display_rate_hz` is missing;"
    ));
}
