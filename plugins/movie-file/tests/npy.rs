//! `movie-file` reading NumPy `.npy` movies (format 1.0, as `numpy.save`
//! writes them): the same frames as the TIFF of the same movie, either byte
//! order, and arrays that are no movie refused at `movie`, naming what they hold.

use std::path::{Path, PathBuf};

use macroscope_plugin_api::{ElementType, ErrorKind};
use macroscope_plugin_harness::{HarnessError, PluginUnderTest};
use movie_file::MovieFile;
use serde_json::json;

/// Writes `name` in `dir`: an `.npy` 1.0 header for `descr` and `shape`
/// (padded to 64 bytes, as numpy pads it), then `data`.
fn write_npy(dir: &Path, name: &str, descr: &str, shape: &[usize], data: &[u8]) -> PathBuf {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({}{}), }}",
        dims.join(", "),
        if shape.len() == 1 { "," } else { "" }
    )
    .into_bytes();
    let unpadded = 10 + header.len() + 1;
    header.resize(header.len() + (64 - unpadded % 64) % 64, b' ');
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(data);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Two 2×3 frames: pixel `p` of frame `k` is `1000 k + p`.
fn frames() -> Vec<Vec<u16>> {
    (0..2u16)
        .map(|k| (0..6u16).map(|p| 1000 * k + p).collect())
        .collect()
}

fn run(movie: &Path) -> Vec<Vec<u16>> {
    let params = json!({ "movie": movie.to_str().unwrap(), "rate_hz": 10.0 });
    let output = PluginUnderTest::of::<MovieFile>()
        .run(&params, &[])
        .unwrap();
    let port = output.port("frames").unwrap();
    assert_eq!(port.spec.element, ElementType::U16);
    assert_eq!(port.spec.shape.as_slice(), &[2, 3]);
    port.values::<u16>()
        .unwrap()
        .into_iter()
        .map(<[u16]>::to_vec)
        .collect()
}

/// The parameter an error at `outputs` blames, and its message.
fn refusal(movie: &Path) -> (String, String) {
    let params = json!({ "movie": movie.to_str().unwrap(), "rate_hz": 10.0 });
    match PluginUnderTest::of::<MovieFile>()
        .outputs(&params, &[])
        .unwrap_err()
    {
        HarnessError::Call { error, .. } => match error.kind() {
            ErrorKind::InvalidParameter { field } => (field.clone(), error.message().to_owned()),
            other => panic!("not a parameter error: {other:?}"),
        },
        other => panic!("{other}"),
    }
}

#[test]
fn a_little_endian_uint16_npy_movie_gives_its_frames_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = frames()
        .concat()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let movie = write_npy(dir.path(), "movie.npy", "<u2", &[2, 2, 3], &data);
    assert_eq!(run(&movie), frames());
}

#[test]
fn a_big_endian_uint16_npy_movie_is_read_in_its_byte_order() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = frames()
        .concat()
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let movie = write_npy(dir.path(), "movie.npy", ">u2", &[2, 2, 3], &data);
    assert_eq!(run(&movie), frames());
}

#[test]
fn an_npy_movie_of_floats_is_refused_at_movie_naming_its_type() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_npy(dir.path(), "movie.npy", "<f4", &[1, 2, 3], &[0; 24]);
    assert_eq!(
        refusal(&movie),
        (
            "movie".to_owned(),
            format!(
                "{}: holds <f4: movie-file reads unsigned 8- or 16-bit pixels (uint8, uint16)",
                movie.display()
            )
        )
    );
}

#[test]
fn an_npy_array_that_is_not_three_dimensional_is_refused_at_movie() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_npy(dir.path(), "movie.npy", "|u1", &[6], &[0; 6]);
    assert_eq!(
        refusal(&movie),
        (
            "movie".to_owned(),
            format!(
                "{}: holds an array of shape [6]: a movie is [frames, height, width]",
                movie.display()
            )
        )
    );
}

#[test]
fn an_npy_file_shorter_than_its_header_says_is_an_error_naming_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    let movie = write_npy(dir.path(), "movie.npy", "|u1", &[2, 2, 3], &[7; 9]);
    let params = json!({ "movie": movie.to_str().unwrap(), "rate_hz": 10.0 });
    let error = PluginUnderTest::of::<MovieFile>()
        .run(&params, &[])
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "plugin `movie-file` failed in poll: {}: ends inside frame 1: the file is shorter than its header says",
            movie.display()
        )
    );
}
