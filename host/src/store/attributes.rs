//! Reading and writing the scalar attributes of the format: UTF-8 strings
//! (variable length, as h5py writes `str`) and integers. Strings are
//! read in any of HDF5's forms, so attributes other tools wrote count too:
//! variable or fixed length (h5py's `np.bytes_`, MATLAB), ASCII or UTF-8,
//! NUL-terminated, NUL-padded or space-padded.

use hdf5::types::VarLenUnicode;
use hdf5::Location;

/// Sets string attribute `name`, replacing any earlier value.
pub fn set_str(location: &Location, name: &str, value: &str) -> hdf5::Result<()> {
    let value: VarLenUnicode = value
        .parse()
        .map_err(|e| hdf5::Error::from(format!("attribute `{name}` is not valid text: {e}")))?;
    replace(location, name)?;
    location
        .new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&value)
}

/// Sets unsigned attribute `name`, replacing any earlier value.
pub fn set_u64(location: &Location, name: &str, value: u64) -> hdf5::Result<()> {
    replace(location, name)?;
    location
        .new_attr::<u64>()
        .create(name)?
        .write_scalar(&value)
}

/// Sets signed attribute `name`, replacing any earlier value.
pub fn set_i64(location: &Location, name: &str, value: i64) -> hdf5::Result<()> {
    replace(location, name)?;
    location
        .new_attr::<i64>()
        .create(name)?
        .write_scalar(&value)
}

/// Sets a 0/1 flag attribute (stored as `u8`).
pub fn set_flag(location: &Location, name: &str, value: bool) -> hdf5::Result<()> {
    replace(location, name)?;
    location
        .new_attr::<u8>()
        .create(name)?
        .write_scalar(&u8::from(value))
}

fn replace(location: &Location, name: &str) -> hdf5::Result<()> {
    if location.attr_names()?.iter().any(|n| n == name) {
        location.delete_attr(name)?;
    }
    Ok(())
}

/// String attribute `name`, if present and a string (of any length, encoding
/// and padding; a one-element array counts as a scalar).
pub fn get_str(location: &Location, name: &str) -> Option<String> {
    let attr = location.attr(name).ok()?;
    if let Ok(v) = attr.read_scalar::<VarLenUnicode>() {
        return Some(v.as_str().to_owned());
    }
    if let Ok(v) = attr.read_scalar::<hdf5::types::VarLenAscii>() {
        return Some(v.as_str().to_owned());
    }
    super::hdf5_raw::read_fixed_string(&attr).ok().flatten()
}

/// Unsigned attribute `name` (any integer type), if present.
pub fn get_u64(location: &Location, name: &str) -> Option<u64> {
    location.attr(name).ok()?.read_scalar::<u64>().ok()
}

/// A flag attribute: true if present and non-zero.
pub fn get_flag(location: &Location, name: &str) -> bool {
    get_u64(location, name).is_some_and(|v| v != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::hdf5_raw::StringPadding;
    use hdf5::types::{FixedAscii, FixedUnicode};

    #[test]
    fn fixed_length_ascii_and_utf8_attributes_read_like_variable_length_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let ascii = FixedAscii::<16>::from_ascii(b"stream").unwrap();
        file.new_attr::<FixedAscii<16>>()
            .create("role")
            .unwrap()
            .write_scalar(&ascii)
            .unwrap();
        let utf8: FixedUnicode<16> = "µm · 5".parse().unwrap();
        file.new_attr::<FixedUnicode<16>>()
            .create("unit")
            .unwrap()
            .write_scalar(&utf8)
            .unwrap();
        assert_eq!(get_str(&file, "role").as_deref(), Some("stream"));
        assert_eq!(get_str(&file, "unit").as_deref(), Some("µm · 5"));
    }

    #[test]
    fn padding_is_removed_as_the_string_type_says() {
        assert_eq!(StringPadding::NullPadded.text(b"role\0\0\0"), "role");
        assert_eq!(StringPadding::NullTerminated.text(b"ab\0junk"), "ab");
        assert_eq!(StringPadding::SpacePadded.text(b"a b   "), "a b");
    }
}
