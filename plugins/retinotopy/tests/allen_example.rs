//! Allen's published example maps (Zhuang et al. 2017) through `retinotopy` in mode (b):
//! a real case made by another lab's rig and software, with the reference procedure's
//! parameters from `shared/data/allen-example/README.md`.
// Reference computations: independent of the plugin's portable `libm`, so
// the platform's own functions are what a check should use (plugins/clippy.toml).
#![allow(clippy::disallowed_methods)]

mod plugin_driver;

use std::path::PathBuf;

use macroscope_plugin_api::{ElementType, Emission, PortSpec};
use ndarray::Array2;
use plugin_driver::{dataset, input, Driven};
use retinotopy::{Params, Retinotopy};

const SIDE: usize = 450;

fn allen_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/allen-example/allen_example_maps.h5")
}

fn read_map(name: &str) -> Array2<f64> {
    let path = allen_file();
    let file = hdf5::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.dataset(name)
        .and_then(|d| d.read_2d::<f64>())
        .unwrap_or_else(|e| panic!("{}#{name}: {e}", path.display()))
}

struct AllenRun {
    azimuth: Array2<f64>,
    altitude: Array2<f64>,
    outputs: Vec<PortSpec>,
    emissions: Vec<Emission>,
}

/// Runs the plugin once per test binary (the maps are 450 × 450).
fn run() -> &'static AllenRun {
    static RUN: std::sync::OnceLock<AllenRun> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let (azimuth, altitude) = (read_map("azimuth_deg"), read_map("altitude_deg"));
        let shape = [SIDE as u64, SIDE as u64];
        let azimuth_port = PortSpec::dataset("azimuth_deg", ElementType::F64, &shape);
        let altitude_port = PortSpec::dataset("altitude_deg", ElementType::F64, &shape);
        let params = Params {
            phase_sigma_px: 0.5,
            sign_sigma_px: 8.0,
            sign_threshold: 0.4,
            open_iterations: 3,
            min_patch_px: 100,
            ..Params::default()
        };
        let inputs = [
            input("allen.h5#/azimuth_deg", &azimuth_port),
            input("allen.h5#/altitude_deg", &altitude_port),
        ];
        let mut stage = Driven::<Retinotopy>::configure(params, &inputs);
        let azimuth_flat: Vec<f64> = azimuth.iter().copied().collect();
        let altitude_flat: Vec<f64> = altitude.iter().copied().collect();
        stage.send_slice(0, &azimuth_flat, &shape);
        stage.send_slice(1, &altitude_flat, &shape);
        let emissions = stage.finish();
        AllenRun {
            azimuth,
            altitude,
            outputs: stage.outputs,
            emissions,
        }
    })
}

fn port(name: &str) -> u32 {
    run()
        .outputs
        .iter()
        .position(|p| p.name.as_str() == name)
        .expect("declared output") as u32
}

fn output_map(name: &str) -> Array2<f64> {
    Array2::from_shape_vec(
        (SIDE, SIDE),
        dataset::<f64>(&run().emissions, port(name)).to_vec(),
    )
    .unwrap()
}

/// One patch table row: (label, sign, area, centroid row, centroid col, mean VFS).
fn patch_table() -> Vec<(i32, i64, i64, f64, f64, f64)> {
    let patches = port("patches");
    run()
        .emissions
        .iter()
        .filter(|e| e.port == patches)
        .map(|e| {
            let m = &e.meta;
            let label = e.data.as_slice::<i32>().unwrap()[0];
            (
                label,
                m[0].as_i64(),
                m[1].as_i64(),
                m[2].as_f64(),
                m[3].as_f64(),
                m[4].as_f64(),
            )
        })
        .collect()
}

#[test]
fn thirteen_patches_of_at_least_100_px() {
    assert_eq!(patch_table().len(), 13);
    assert!(patch_table().iter().all(|p| p.2 >= 100));
}

#[test]
fn largest_patch_is_v1_with_23785_px_and_negative_sign() {
    let largest = patch_table().into_iter().max_by_key(|p| p.2).unwrap();
    let area = largest.2 as f64;
    assert!(
        (area - 23_785.0).abs() <= 0.02 * 23_785.0,
        "largest patch {area} px"
    );
    assert_eq!(largest.1, -1);
    assert!(
        (largest.5 - -0.88).abs() < 0.005,
        "mean smoothed VFS {}",
        largest.5
    );
}

#[test]
fn patch_table_matches_scipy_patch_for_patch() {
    // Written by tests/fixtures/allen_patches_scipy.py (numpy + scipy.ndimage, no shared code).
    let csv = include_str!("fixtures/allen_patches_scipy.csv");
    let expected: Vec<Vec<f64>> = csv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("area"))
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let table = patch_table();
    assert_eq!(table.len(), expected.len());
    for (i, (row, want)) in table.iter().zip(&expected).enumerate() {
        assert_eq!(row.0, i as i32 + 1, "labels run 1..=K in scipy's order");
        assert_eq!(row.2 as f64, want[0], "patch {} area", row.0);
        assert!(
            (row.3 - want[1]).abs() < 1e-9 && (row.4 - want[2]).abs() < 1e-9,
            "patch {} centroid",
            row.0
        );
        assert!(
            (row.5 - want[3]).abs() < 1e-9,
            "patch {} mean VFS {} vs {}",
            row.0,
            row.5,
            want[3]
        );
        assert_eq!(row.1, if want[3] < 0.0 { -1 } else { 1 });
    }
}

#[test]
fn label_image_agrees_with_the_patch_table() {
    let labels = dataset::<i32>(&run().emissions, port("area_labels"));
    for (label, _, area, ..) in patch_table() {
        assert_eq!(
            labels.iter().filter(|&&l| l == label).count() as i64,
            area,
            "patch {label}"
        );
    }
    assert_eq!(labels.iter().copied().max(), Some(13));
}

/// Allen's recipe evaluated pixel by pixel, straight from its definition: a 2-D
/// Gaussian window with reflected indices, numpy's gradient, the complex product.
mod direct {
    use ndarray::Array2;

    fn reflect(i: i64, n: usize) -> usize {
        let n = n as i64;
        let mut i = i;
        while i < 0 || i >= n {
            i = if i < 0 { -i - 1 } else { 2 * n - 1 - i };
        }
        i as usize
    }

    /// Gaussian-smoothed value of `map` at (r, c): Σ w(i)w(j)·map[refl(r+i), refl(c+j)].
    pub fn smoothed_at(map: &Array2<f64>, sigma: f64, r: usize, c: usize) -> f64 {
        let radius = (4.0 * sigma + 0.5).floor() as i64;
        let weight = |x: i64| (-(x * x) as f64 / (2.0 * sigma * sigma)).exp();
        let norm: f64 = (-radius..=radius).map(weight).sum();
        let (rows, cols) = map.dim();
        let mut total = 0.0;
        for i in -radius..=radius {
            for j in -radius..=radius {
                total += weight(i)
                    * weight(j)
                    * map[[reflect(r as i64 + i, rows), reflect(c as i64 + j, cols)]];
            }
        }
        total / (norm * norm)
    }

    /// numpy.gradient along one axis at index k of a line read through `at`.
    fn derivative(at: impl Fn(usize) -> f64, k: usize, n: usize) -> f64 {
        if k == 0 {
            at(1) - at(0)
        } else if k == n - 1 {
            at(n - 1) - at(n - 2)
        } else {
            (at(k + 1) - at(k - 1)) / 2.0
        }
    }

    /// atan2(∂/∂col, ∂/∂row) of the smoothed map at (r, c).
    fn direction(smoothed: &Array2<f64>, r: usize, c: usize) -> f64 {
        let (rows, cols) = smoothed.dim();
        let d_row = derivative(|k| smoothed[[k, c]], r, rows);
        let d_col = derivative(|k| smoothed[[r, k]], c, cols);
        d_col.atan2(d_row)
    }

    /// sin(angle(e^{i·g_alt}·e^{−i·g_azi})) at every pixel.
    pub fn sign_map(azimuth: &Array2<f64>, altitude: &Array2<f64>, sigma: f64) -> Array2<f64> {
        let smooth =
            |m: &Array2<f64>| Array2::from_shape_fn(m.dim(), |(r, c)| smoothed_at(m, sigma, r, c));
        let (azi, alt) = (smooth(azimuth), smooth(altitude));
        Array2::from_shape_fn(azimuth.dim(), |(r, c)| {
            let (a, b) = (direction(&alt, r, c), direction(&azi, r, c));
            // (cos a + i sin a)(cos b − i sin b)
            let re = a.cos() * b.cos() + a.sin() * b.sin();
            let im = a.sin() * b.cos() - a.cos() * b.sin();
            im.atan2(re).sin()
        })
    }
}

#[test]
fn sign_map_equals_allens_formula_evaluated_pixel_by_pixel() {
    let expected = direct::sign_map(&run().azimuth, &run().altitude, 0.5);
    let sign = output_map("sign_map");
    let worst = sign
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-6, "largest per-pixel difference {worst}");
}

#[test]
fn smoothed_sign_map_equals_a_direct_2d_gaussian_window() {
    // Every 7th pixel in each direction, borders included (a 65 × 65 window per pixel).
    let sign = output_map("sign_map");
    let smoothed = output_map("sign_map_smoothed");
    let mut worst: f64 = 0.0;
    for r in (0..SIDE).step_by(7).chain([SIDE - 1]) {
        for c in (0..SIDE).step_by(7).chain([SIDE - 1]) {
            worst = worst.max((smoothed[[r, c]] - direct::smoothed_at(&sign, 8.0, r, c)).abs());
        }
    }
    assert!(worst < 1e-6, "largest difference {worst}");
}

#[test]
fn position_maps_pass_through_and_delay_and_power_are_nan() {
    assert_eq!(output_map("azimuth_deg"), run().azimuth);
    assert_eq!(output_map("altitude_deg"), run().altitude);
    for name in [
        "azimuth_delay",
        "altitude_delay",
        "azimuth_power",
        "altitude_power",
    ] {
        assert!(output_map(name).iter().all(|v| v.is_nan()), "{name}");
    }
}

/// One area table row: (label, name, sign, area, centroid row, centroid col, coverage).
fn area_table() -> Vec<(i32, String, i64, i64, f64, f64, f64)> {
    let table = port("area_table");
    let names = run().outputs[table as usize].attributes_json()["area_names"].clone();
    run()
        .emissions
        .iter()
        .filter(|e| e.port == table)
        .map(|e| {
            let m = &e.meta;
            let name = names[m[0].as_i64() as usize].as_str().unwrap().to_owned();
            (
                e.data.as_slice::<i32>().unwrap()[0],
                name,
                m[1].as_i64(),
                m[2].as_i64(),
                m[3].as_f64(),
                m[4].as_f64(),
                m[6].as_f64(),
            )
        })
        .collect()
}

/// Allen's final patches by size (`finalPatches`, patch01…patch13) with the
/// names the example notebook gives them by hand; patch12 is left unnamed.
const ALLEN_NAMES_BY_SIZE: [&str; 13] = [
    "V1", "PM", "RL", "P", "LM", "AM", "LI", "MMA", "AL", "RLL", "LLA", "unnamed", "MMP",
];

#[test]
fn split_and_merge_leave_thirteen_areas_as_in_allens_notebook() {
    assert_eq!(area_table().len(), ALLEN_NAMES_BY_SIZE.len());
    assert!(area_table().iter().all(|a| a.3 >= 100));
}

#[test]
fn areas_are_named_as_allens_authors_named_them() {
    let names: Vec<String> = area_table().into_iter().map(|a| a.1).collect();
    assert_eq!(names, ALLEN_NAMES_BY_SIZE);
}

#[test]
fn v1_grown_to_its_borders_has_24307_px_and_negative_sign() {
    let v1 = &area_table()[0];
    assert_eq!((v1.1.as_str(), v1.2, v1.3), ("V1", -1, 24_307));
}

#[test]
fn area_image_agrees_with_the_area_table() {
    let labels = dataset::<i32>(&run().emissions, port("areas"));
    for (label, _, _, area, ..) in area_table() {
        assert_eq!(
            labels.iter().filter(|&&l| l == label).count() as i64,
            area,
            "area {label}"
        );
    }
}
