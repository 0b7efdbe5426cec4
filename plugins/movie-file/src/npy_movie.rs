//! A NumPy `.npy` movie: one array [frames, height, width] of u8 or u16 in C
//! order (what `numpy.save` writes for such an array), read one frame at a time.

use std::fs::File;
use std::io::BufReader;

use macroscope_plugin_api::{ArrayData, ElementType, PluginError};
use npyz::{DType, NpyFile, NpyReader, Order};

use crate::movie::{movie_error, Frames, MovieShape};

/// The frames, as the element type the file holds.
enum Pixels {
    U8(NpyReader<u8, BufReader<File>>),
    U16(NpyReader<u16, BufReader<File>>),
}

/// The movie's frames in order.
pub struct NpyMovie {
    path: String,
    pixels: Pixels,
    shape: MovieShape,
    next: u64,
}

impl NpyMovie {
    /// Opens the movie at `path` and checks its header: three dimensions, C
    /// order, unsigned 8- or 16-bit integers (either byte order).
    pub fn open(path: &str) -> Result<NpyMovie, PluginError> {
        let file = File::open(path).map_err(|e| movie_error(path, format!("cannot open: {e}")))?;
        let npy = NpyFile::new(BufReader::new(file))
            .map_err(|e| movie_error(path, format!("not a NumPy .npy file: {e}")))?;
        let dims = npy.shape().to_vec();
        let [frames, height, width] = dims[..] else {
            return Err(movie_error(
                path,
                format!("holds an array of shape {dims:?}: a movie is [frames, height, width]"),
            ));
        };
        if npy.order() != Order::C {
            return Err(movie_error(
                path,
                "is in Fortran order: save it in C order (numpy.ascontiguousarray)",
            ));
        }
        let too_large = || movie_error(path, format!("frames of {height}×{width} are too large"));
        let height = u32::try_from(height).map_err(|_| too_large())?;
        let width = u32::try_from(width).map_err(|_| too_large())?;
        let type_error = |found: &dyn std::fmt::Display| {
            movie_error(
                path,
                format!(
                    "holds {found}: movie-file reads unsigned 8- or 16-bit pixels (uint8, uint16)"
                ),
            )
        };
        let dtype = npy.dtype();
        let (element, pixels) = match &dtype {
            DType::Plain(ty) if ty.size_field() == 1 && is_unsigned(ty) => (
                ElementType::U8,
                Pixels::U8(npy.data().map_err(|e| type_error(&e))?),
            ),
            DType::Plain(ty) if ty.size_field() == 2 && is_unsigned(ty) => (
                ElementType::U16,
                Pixels::U16(npy.data().map_err(|e| type_error(&e))?),
            ),
            DType::Plain(ty) => return Err(type_error(ty)),
            _ => return Err(type_error(&"a structured or array dtype")),
        };
        Ok(NpyMovie {
            path: path.to_owned(),
            pixels,
            shape: MovieShape {
                width,
                height,
                element,
                frames,
            },
            next: 0,
        })
    }
}

impl Frames for NpyMovie {
    fn shape(&self) -> MovieShape {
        self.shape
    }

    fn next_frame(&mut self) -> Result<Option<ArrayData>, PluginError> {
        if self.next == self.shape.frames {
            return Ok(None);
        }
        let pixels = self.shape.width as usize * self.shape.height as usize;
        let frame = self.next;
        let at = |e: std::io::Error| movie_error(&self.path, format!("frame {frame}: {e}"));
        let data = match &mut self.pixels {
            Pixels::U8(values) => ArrayData::from_vec(
                values
                    .by_ref()
                    .take(pixels)
                    .collect::<Result<Vec<u8>, _>>()
                    .map_err(at)?,
            ),
            Pixels::U16(values) => ArrayData::from_vec(
                values
                    .by_ref()
                    .take(pixels)
                    .collect::<Result<Vec<u16>, _>>()
                    .map_err(at)?,
            ),
        };
        if data.len() != pixels {
            return Err(movie_error(
                &self.path,
                format!("ends inside frame {frame}: the file is shorter than its header says"),
            ));
        }
        self.next += 1;
        Ok(Some(data))
    }
}

/// `u1`/`u2` in either byte order (`|u1`, `<u2`, `>u2`).
fn is_unsigned(ty: &npyz::TypeStr) -> bool {
    ty.to_string().ends_with(&format!("u{}", ty.size_field()))
}
