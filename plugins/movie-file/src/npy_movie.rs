//! A NumPy `.npy` movie: one array [frames, height, width] of u8 or u16 in C
//! order (what `numpy.save` writes for such an array), read one frame at a time.
//!
//! npyz parses the header; each frame's bytes are then read in one call and
//! converted by the header's byte order.

use std::fs::File;
use std::io::{BufReader, Read};

use macroscope_plugin_api::{ArrayData, ElementType, PluginError};
use npyz::{DType, Endianness, NpyHeader, Order, TypeChar, TypeStr};

use crate::movie::{movie_error, Frames, MovieShape};

/// The movie's frames in order.
pub struct NpyMovie {
    path: String,
    data: BufReader<File>,
    /// 16-bit pixels are stored most significant byte first (`>u2`).
    big_endian: bool,
    shape: MovieShape,
    next: u64,
}

impl NpyMovie {
    /// Opens the movie at `path` and checks its header: three dimensions, C
    /// order, unsigned 8- or 16-bit integers (either byte order).
    pub fn open(path: &str) -> Result<NpyMovie, PluginError> {
        let file = File::open(path).map_err(|e| movie_error(path, format!("cannot open: {e}")))?;
        let mut data = BufReader::new(file);
        let header = NpyHeader::from_reader(&mut data)
            .map_err(|e| movie_error(path, format!("not a NumPy .npy file: {e}")))?;
        let [frames, height, width] = header.shape()[..] else {
            return Err(movie_error(
                path,
                format!(
                    "holds an array of shape {:?}: a movie is [frames, height, width]",
                    header.shape()
                ),
            ));
        };
        if header.order() != Order::C {
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
        let (element, big_endian) = match header.dtype() {
            DType::Plain(ty) => match pixel_element(&ty) {
                Some(element) => (element, ty.endianness() == Endianness::Big),
                None => return Err(type_error(&ty)),
            },
            _ => return Err(type_error(&"a structured or array dtype")),
        };
        Ok(NpyMovie {
            path: path.to_owned(),
            data,
            big_endian,
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
        let frame = self.next;
        let pixels = self.shape.width as usize * self.shape.height as usize;
        let mut bytes = vec![0u8; pixels * self.shape.element.size()];
        self.data.read_exact(&mut bytes).map_err(|e| {
            let reason = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                "the file is shorter than its header says".to_owned()
            } else {
                e.to_string()
            };
            movie_error(&self.path, format!("ends inside frame {frame}: {reason}"))
        })?;
        self.next += 1;
        Ok(Some(match self.shape.element {
            ElementType::U16 => {
                let from_bytes = if self.big_endian {
                    u16::from_be_bytes
                } else {
                    u16::from_le_bytes
                };
                ArrayData::from_vec(
                    bytes
                        .chunks_exact(2)
                        .map(|pair| from_bytes([pair[0], pair[1]]))
                        .collect::<Vec<u16>>(),
                )
            }
            _ => ArrayData::from_vec(bytes),
        }))
    }
}

/// `|u1` is u8 and `<u2`/`>u2` is u16; anything else is not a movie's pixel.
fn pixel_element(ty: &TypeStr) -> Option<ElementType> {
    match (ty.type_char(), ty.size_field()) {
        (TypeChar::Uint, 1) => Some(ElementType::U8),
        (TypeChar::Uint, 2) => Some(ElementType::U16),
        _ => None,
    }
}
