//! The movie file, by its extension: `.npy` is a NumPy array, anything else
//! a multi-page TIFF or BigTIFF; both are read one frame at a time.

use macroscope_plugin_api::{ArrayData, ElementType, PluginError};

use crate::npy_movie::NpyMovie;
use crate::tiff_movie::TiffMovie;

/// What the movie holds, read from its headers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovieShape {
    /// Pixels per row.
    pub width: u32,
    /// Rows per frame.
    pub height: u32,
    /// u8 or u16.
    pub element: ElementType,
    /// Frames.
    pub frames: u64,
}

/// An error blamed on the `movie` parameter, naming the file.
pub fn movie_error(path: &str, message: impl std::fmt::Display) -> PluginError {
    PluginError::parameter("movie", format!("{path}: {message}"))
}

/// What each movie format gives: its shape, then its frames in order.
pub trait Frames: Send {
    /// What the movie holds.
    fn shape(&self) -> MovieShape;
    /// The next frame's pixels, row by row; `None` after the last.
    fn next_frame(&mut self) -> Result<Option<ArrayData>, PluginError>;
}

/// The movie's frames in order, whatever the file's format.
pub struct Movie(Box<dyn Frames>);

impl Movie {
    /// Opens the movie at `path` and checks its headers.
    pub fn open(path: &str) -> Result<Movie, PluginError> {
        Ok(Movie(if path.to_ascii_lowercase().ends_with(".npy") {
            Box::new(NpyMovie::open(path)?)
        } else {
            Box::new(TiffMovie::open(path)?)
        }))
    }

    /// What the movie holds.
    pub fn shape(&self) -> MovieShape {
        self.0.shape()
    }

    /// The next frame's pixels, row by row; `None` after the last.
    pub fn next_frame(&mut self) -> Result<Option<ArrayData>, PluginError> {
        self.0.next_frame()
    }
}
