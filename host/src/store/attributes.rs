//! Reading and writing the scalar attributes of the format: UTF-8 strings
//! (variable length, as h5py writes `str`) and unsigned integers.

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

/// String attribute `name`, if present and a string.
pub fn get_str(location: &Location, name: &str) -> Option<String> {
    let attr = location.attr(name).ok()?;
    if let Ok(v) = attr.read_scalar::<VarLenUnicode>() {
        return Some(v.as_str().to_owned());
    }
    attr.read_scalar::<hdf5::types::VarLenAscii>()
        .ok()
        .map(|v| v.as_str().to_owned())
}

/// Unsigned attribute `name` (any integer type), if present.
pub fn get_u64(location: &Location, name: &str) -> Option<u64> {
    location.attr(name).ok()?.read_scalar::<u64>().ok()
}

/// A flag attribute: true if present and non-zero.
pub fn get_flag(location: &Location, name: &str) -> bool {
    get_u64(location, name).is_some_and(|v| v != 0)
}
