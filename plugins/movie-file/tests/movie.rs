//! `movie-file` through the harness (the FFI, the port checks): a TIFF movie
//! and its frame times come out as the camera stream, files that do not fit
//! are refused at the parameter that names them, and it passes the
//! conformance suite.

use std::fs::File;
use std::path::{Path, PathBuf};

use macroscope_plugin_api::{ElementType, ErrorKind, Scalar};
use macroscope_plugin_harness::{conformance, HarnessError, PluginUnderTest};
use movie_file::MovieFile;
use serde_json::json;
use sha2::{Digest, Sha256};
use tiff::encoder::{colortype, TiffEncoder};

const WIDTH: u32 = 4;
const HEIGHT: u32 = 3;

/// Frame `k` of the test movie: pixel `p` holds `1000 k + p`.
fn frame(k: u16) -> Vec<u16> {
    (0..(WIDTH * HEIGHT) as u16).map(|p| 1000 * k + p).collect()
}

/// Writes `frames` frames as a multi-page u16 TIFF.
fn write_movie(dir: &Path, frames: u16) -> PathBuf {
    let path = dir.join("movie.tif");
    let mut tiff = TiffEncoder::new(File::create(&path).unwrap()).unwrap();
    for k in 0..frames {
        tiff.write_image::<colortype::Gray16>(WIDTH, HEIGHT, &frame(k))
            .unwrap();
    }
    path
}

fn write_csv(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("times.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn plugin() -> PluginUnderTest {
    PluginUnderTest::of::<MovieFile>()
}

/// The parameter an error blames and its message.
fn blamed(error: HarnessError) -> (String, String) {
    match error {
        HarnessError::Call { error, .. } => match error.kind() {
            ErrorKind::InvalidParameter { field } => (field.clone(), error.message().to_owned()),
            other => panic!("not a parameter error: {other:?}"),
        },
        other => panic!("{other}"),
    }
}

#[test]
fn the_pages_and_the_csv_times_come_out_as_camera_frames_on_the_stimulus_clock() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_movie(dir.path(), 3);
    let times = write_csv(
        dir.path(),
        "frame,time_s\n0,0.1\n1,0.2\n2,0.30000000000000004\n",
    );
    let params = json!({ "movie": text(&movie), "times_csv": text(&times), "clock_offset_s": 2.0 });

    let output = plugin().run(&params, &[]).unwrap();
    let frames = output.port("frames").unwrap();
    assert_eq!(frames.spec.element, ElementType::U16);
    assert_eq!(frames.spec.shape.as_slice(), &[3, 4]);
    assert_eq!(frames.spec.expected_items(), Some(3));
    let values = frames.values::<u16>().unwrap();
    assert_eq!(values, vec![&frame(0)[..], &frame(1)[..], &frame(2)[..]]);
    let meta: Vec<Vec<Scalar>> = frames.items.iter().map(|e| e.meta.to_vec()).collect();
    assert_eq!(
        meta,
        vec![
            vec![
                Scalar::Int(0),
                Scalar::Int(2_100_000_000),
                Scalar::Float(0.1 + 2.0)
            ],
            vec![
                Scalar::Int(1),
                Scalar::Int(2_200_000_000),
                Scalar::Float(0.2 + 2.0)
            ],
            vec![
                Scalar::Int(2),
                Scalar::Int(2_300_000_000),
                Scalar::Float(0.30000000000000004 + 2.0)
            ],
        ]
    );
}

#[test]
fn a_constant_rate_times_frames_from_the_start_time() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_movie(dir.path(), 3);
    let params = json!({ "movie": text(&movie), "rate_hz": 10.0, "start_s": 1.0 });
    let output = plugin().run(&params, &[]).unwrap();
    let times: Vec<Scalar> = output
        .port("frames")
        .unwrap()
        .items
        .iter()
        .map(|e| e.meta[2])
        .collect();
    assert_eq!(
        times,
        vec![Scalar::Float(1.0), Scalar::Float(1.1), Scalar::Float(1.2)]
    );
}

#[test]
fn the_sha256_of_every_file_read_is_stored_with_the_frames() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_movie(dir.path(), 2);
    let times = write_csv(dir.path(), "time_s\n0\n1\n");
    let params = json!({ "movie": text(&movie), "times_csv": text(&times) });
    let stage = plugin().start(&params, &[]).unwrap();
    let attributes = stage.outputs[0].attributes_json();
    let sha = |path: &Path| format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()));
    assert_eq!(attributes["movie_sha256"], sha(&movie));
    assert_eq!(attributes["times_csv_sha256"], sha(&times));
}

#[test]
fn a_u8_movie_gives_u8_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.tif");
    let mut tiff = TiffEncoder::new(File::create(&path).unwrap()).unwrap();
    tiff.write_image::<colortype::Gray8>(2, 2, &[1, 2, 3, 4])
        .unwrap();
    let params = json!({ "movie": text(&path), "rate_hz": 1.0 });
    let output = plugin().run(&params, &[]).unwrap();
    let frames = output.port("frames").unwrap();
    assert_eq!(frames.values::<u8>().unwrap(), vec![&[1u8, 2, 3, 4][..]]);
}

#[test]
fn a_page_of_another_size_is_refused_at_movie_naming_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.tif");
    let mut tiff = TiffEncoder::new(File::create(&path).unwrap()).unwrap();
    tiff.write_image::<colortype::Gray16>(2, 2, &[0; 4])
        .unwrap();
    tiff.write_image::<colortype::Gray16>(3, 2, &[0; 6])
        .unwrap();
    let params = json!({ "movie": text(&path), "rate_hz": 1.0 });
    let error = plugin().outputs(&params, &[]).unwrap_err();
    assert_eq!(
        blamed(error),
        (
            "movie".to_owned(),
            format!(
                "{}: page 1 is u16 3×2, page 0 is u16 2×2: every frame must be alike",
                text(&path)
            )
        )
    );
}

#[test]
fn a_file_that_is_not_a_tiff_is_refused_at_movie() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "time_s\n0\n");
    let params = json!({ "movie": text(&path), "rate_hz": 1.0 });
    let (field, message) = blamed(plugin().outputs(&params, &[]).unwrap_err());
    assert_eq!(field, "movie");
    assert!(
        message.starts_with(&format!("{}: not a TIFF movie: ", text(&path))),
        "{message}"
    );
}

#[test]
fn without_frame_times_the_error_says_how_to_give_them() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_movie(dir.path(), 1);
    let (field, message) = blamed(
        plugin()
            .outputs(&json!({ "movie": text(&movie) }), &[])
            .unwrap_err(),
    );
    assert_eq!(
        (field.as_str(), message.as_str()),
        (
            "times_csv",
            "the frame times are missing: set `times_csv` (a CSV with a `time_s` column, \
             one row per frame) or `rate_hz` (and `start_s`) for a constant rate"
        )
    );
}

#[test]
fn it_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_movie(dir.path(), 3);
    let report =
        conformance::check_probing(&plugin(), json!({ "movie": text(&movie), "rate_hz": 5.0 }));
    assert!(report.passed(), "{report:#?}");
}
