//! `macroscope export nwb`: a short run with maps and a `[session]`, exported
//! as NWB and read back — by the hdf5 crate here (layout, values, chunks
//! copied as stored), and by pynwb and nwbinspector through
//! `tests/python/check_nwb.py` (the validator, the DANDI inspection, and the
//! values compared with the run file).
//!
//! The Python checks need a Python with pynwb and nwbinspector:
//! `MACROSCOPE_PYTHON` (CI makes a venv), else `python3`. Without them the
//! Python check is skipped with a note, unless `MACROSCOPE_REQUIRE_PYNWB=1`
//! (set by `.ci/run`), which makes their absence a failure.

use std::path::{Path, PathBuf};
use std::process::Output;

use macroscope_integration::{child, tools};

use crate::pipeline_files::{write_pipeline, MAPS_RECORDING};
use crate::run_file::{dataset_values, stage_group, stimulus_key, text_attr};

const SESSION: &str = r#"
[session]
subject_id = "m042"
species = "Mus musculus"
strain = "C57BL/6J"
sex = "F"
age = "P90D"
weight_g = 24.0
experimenters = ["Doe, Jane"]
lab = "Visual Cortex Lab"
institution = "Synthetic University"
description = "Retinotopic mapping of a synthetic cortex"
hemisphere = "left"
um_per_pixel = 20.0
keywords = ["retinotopy"]
"#;

/// Runs the pipeline `stages` (plus `session`) as `dir/name.h5`.
fn run(dir: &Path, name: &str, session: &str, stages: &str) -> PathBuf {
    crate::cli::runs(&write_pipeline(dir, name, &format!("{session}\n{stages}")));
    dir.join(format!("{name}.h5"))
}

fn export(args: &[&Path]) -> Output {
    crate::cli::macroscope()
        .args(["export", "nwb"])
        .args(args)
        .output()
        .expect("the macroscope binary runs")
}

fn exported(run: &Path) -> PathBuf {
    let output = export(&[run]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    run.with_extension("nwb")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_export_prints_one_line_naming_the_file_and_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let output = export(&[&run]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    let frames = hdf5::File::open(&run)
        .map(|f| {
            stage_group(&f, "acquisitions", "camera")
                .dataset("frames")
                .unwrap()
                .shape()[0]
        })
        .unwrap();
    let line = format!(
        "{}: NWB 2.11.0, {frames} camera frames, 4 sweeps, ",
        run.with_extension("nwb").display()
    );
    assert!(stdout.starts_with(&line), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn the_export_holds_the_nwb_root_the_movie_as_stored_and_the_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let nwb = hdf5::File::open(exported(&run)).unwrap();
    assert_eq!(text_attr(&nwb, "neurodata_type"), "NWBFile");
    assert_eq!(text_attr(&nwb, "namespace"), "core");
    assert_eq!(text_attr(&nwb, "nwb_version"), "2.11.0");
    let object_id = text_attr(&nwb, "object_id");
    assert_eq!(
        (object_id.len(), &object_id[14..15]),
        (36, "4"),
        "a UUID4: {object_id}"
    );
    for group in [
        "acquisition",
        "analysis",
        "processing",
        "stimulus/presentation",
        "stimulus/templates",
        "general",
        "specifications/core/2.11.0",
        "specifications/hdmf-common/1.10.0",
    ] {
        assert!(nwb.group(group).is_ok(), "{group}");
    }

    let source = hdf5::File::open(&run).unwrap();
    let camera = stage_group(&source, "acquisitions", "camera");
    let frames = camera.dataset("frames").unwrap();
    let movie = nwb.dataset("acquisition/camera/data").unwrap();
    assert_eq!(
        movie.read_raw::<u16>().unwrap(),
        frames.read_raw::<u16>().unwrap()
    );
    assert_eq!(movie.chunk(), frames.chunk(), "chunks copied as they are");
    assert_eq!(movie.filters(), frames.filters(), "still compressed");
    assert!(
        movie.attr("role").is_err(),
        "the run's attributes stay behind"
    );
    assert_eq!(
        nwb.link_exists("acquisition/camera/device"),
        nwb.group("general/devices/camera").is_ok()
    );

    let sweeps = nwb.group("intervals/sweeps").unwrap();
    assert_eq!(text_attr(&sweeps, "neurodata_type"), "TimeIntervals");
    let directions: Vec<String> = sweeps
        .dataset("direction")
        .unwrap()
        .read_raw::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        directions,
        ["LR", "RL", "BT", "TB"],
        "the directions in the order shown"
    );
    let schedule = source
        .group(&format!("/stimuli/{}", stimulus_key(&source)))
        .unwrap();
    let times: Vec<f64> = dataset_values(&schedule, "schedule");
    let direction: Vec<i8> = dataset_values(&schedule, "schedule.direction");
    let first_row = direction.iter().position(|&d| d == 0).unwrap();
    assert_eq!(
        dataset_values::<f64>(&sweeps, "start_time")[0],
        times[first_row]
    );
}

#[test]
fn maps_of_binned_frames_have_the_bin_times_fewer_pixels_per_cm() {
    let dir = tempfile::tempdir().unwrap();
    let stages = MAPS_RECORDING.replace(
        "params = { skip_sweeps = 0 }",
        "params = { skip_sweeps = 0, bin_px = 2 }",
    );
    let run = run(dir.path(), "binned", SESSION, &stages);
    let nwb = hdf5::File::open(exported(&run)).unwrap();
    let resolution = |path: &str| {
        let image = nwb.dataset(path).unwrap();
        (
            image.shape(),
            image
                .attr("resolution")
                .unwrap()
                .read_scalar::<f64>()
                .unwrap(),
        )
    };
    assert_eq!(
        resolution("processing/retinotopy/retinotopy/azimuth_deg"),
        (vec![12, 16], 250.0),
        "20 µm per camera pixel binned 2 × 2 is 250 map pixels per cm"
    );
    assert_eq!(
        resolution("processing/retinotopy/fourier/mean_frame"),
        (vec![12, 16], 250.0)
    );
    assert_eq!(
        resolution("processing/retinotopy/camera/baseline"),
        (vec![24, 32], 500.0),
        "the camera's own images keep its pixels"
    );
}

#[test]
fn the_maps_are_grayscale_images_in_the_retinotopy_module() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let nwb = hdf5::File::open(exported(&run)).unwrap();
    let source = hdf5::File::open(&run).unwrap();
    let maps = stage_group(&source, "analysis", "retinotopy");
    let images = nwb.group("processing/retinotopy/retinotopy").unwrap();
    assert_eq!(text_attr(&images, "neurodata_type"), "Images");
    let azimuth = images.dataset("azimuth_deg").unwrap();
    assert_eq!(text_attr(&azimuth, "neurodata_type"), "GrayscaleImage");
    assert_eq!(
        azimuth
            .attr("resolution")
            .unwrap()
            .read_scalar::<f64>()
            .unwrap(),
        500.0,
        "20 µm per pixel is 500 pixels per cm"
    );
    let same = |a: Vec<f64>, b: Vec<f64>| {
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    };
    assert!(same(
        azimuth.read_raw::<f64>().unwrap(),
        dataset_values(&maps, "azimuth_deg")
    ));
    let fourier = stage_group(&source, "analysis", "fourier");
    let magnitude: Vec<f64> = dataset_values(&fourier, "magnitude");
    let plane = magnitude.len() / 4;
    let bt = nwb
        .dataset("processing/retinotopy/fourier/magnitude_BT")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert!(same(bt, magnitude[2 * plane..3 * plane].to_vec()));
}

#[test]
fn an_export_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let out = dir.path().join("taken.nwb");
    std::fs::write(&out, "a lab's file").unwrap();
    let output = export(&[&run, &out]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot export {} as NWB: {} already exists; an export never overwrites a file: choose another \
             output or move it away\n",
            run.display(),
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a lab's file");
}

#[test]
fn a_run_without_a_session_description_is_refused_naming_the_nwb_field_and_the_session_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        dir.path(),
        "short",
        "[session]\nsubject_id = \"m1\"\n",
        crate::pipeline_files::SHORT_RECORDING,
    );
    let output = export(&[&run]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot export {run} as NWB: {run}: NWB requires `session_description`, and the run's [session] \
             has no `description`: add `description = \"...\"` to the pipeline's [session] table and run it again \
             (docs/FORMAT.md, \"Session\")\n",
            run = run.display()
        )
    );
    assert!(!run.with_extension("nwb").exists());
    assert!(!dir.path().join("short.nwb.partial").exists());
}

#[test]
fn a_file_that_is_not_a_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let nwb = exported(&run);
    let again = dir.path().join("again.nwb");
    let output = export(&[&nwb, &again]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot export {nwb} as NWB: {nwb}: not a macroscope run file (no `format` attribute \
             `macroscope/1`)\n",
            nwb = nwb.display()
        )
    );
    assert!(!again.exists());
}

#[test]
fn pynwb_validates_and_reads_back_the_values_and_nwbinspector_finds_no_violation() {
    let Some(python) = tools::python_with(
        &["pynwb", "nwbinspector", "h5py"],
        "MACROSCOPE_REQUIRE_PYNWB",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "short", SESSION, MAPS_RECORDING);
    let nwb = exported(&run);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../python/check_nwb.py");
    let output = child::command(python)
        .arg(script)
        .arg(&run)
        .arg(&nwb)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && report.trim_end().ends_with(" checks, 0 problems"),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
