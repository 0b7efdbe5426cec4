//! The HDF5 shapes NWB gives its objects, written as pynwb (h5py) writes
//! them: every typed group or dataset carries `namespace`, `neurodata_type`
//! and a random UUID4 `object_id`; text is variable-length UTF-8 (dates
//! variable-length ASCII, as pynwb writes them); numbers are little-endian.

use hdf5::types::{VarLenAscii, VarLenUnicode};
use hdf5::{Dataset, Group, H5Type, Location};

/// The core NWB namespace.
pub const CORE: &str = "core";
/// The hdmf-common namespace (tables).
pub const HDMF_COMMON: &str = "hdmf-common";

/// A random (version 4) UUID, as NWB's `object_id` and our `identifier`.
pub fn uuid4() -> hdf5::Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| hdf5::Error::from(format!("no random numbers from the system: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// Marks `location` as an object of `namespace`'s `neurodata_type`.
pub fn mark(location: &Location, namespace: &str, neurodata_type: &str) -> hdf5::Result<()> {
    attr_text(location, "namespace", namespace)?;
    attr_text(location, "neurodata_type", neurodata_type)?;
    attr_text(location, "object_id", &uuid4()?)
}

/// A new group `name` in `parent` of type `neurodata_type`.
pub fn group(
    parent: &Group,
    name: &str,
    namespace: &str,
    neurodata_type: &str,
) -> hdf5::Result<Group> {
    let group = parent.create_group(name)?;
    mark(&group, namespace, neurodata_type)?;
    Ok(group)
}

fn unicode(text: &str) -> hdf5::Result<VarLenUnicode> {
    text.parse()
        .map_err(|e| hdf5::Error::from(format!("`{text}` cannot be stored as text: {e}")))
}

/// Scalar text attribute.
pub fn attr_text(location: &Location, name: &str, value: &str) -> hdf5::Result<()> {
    location
        .new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&unicode(value)?)
}

/// 1-D text attribute (a DynamicTable's `colnames`).
pub fn attr_text_list(location: &Location, name: &str, values: &[&str]) -> hdf5::Result<()> {
    let values = values
        .iter()
        .map(|v| unicode(v))
        .collect::<hdf5::Result<Vec<_>>>()?;
    location
        .new_attr_builder()
        .with_data(values.as_slice())
        .create(name)?;
    Ok(())
}

/// Scalar numeric attribute.
pub fn attr_scalar<T: H5Type>(location: &Location, name: &str, value: T) -> hdf5::Result<()> {
    location.new_attr::<T>().create(name)?.write_scalar(&value)
}

/// Scalar text dataset.
pub fn text(parent: &Group, name: &str, value: &str) -> hdf5::Result<Dataset> {
    let dataset = parent.new_dataset::<VarLenUnicode>().create(name)?;
    dataset.write_scalar(&unicode(value)?)?;
    Ok(dataset)
}

/// Scalar ASCII text dataset: NWB's dates and times, as pynwb writes them.
pub fn date_time(parent: &Group, name: &str, value: &str) -> hdf5::Result<Dataset> {
    let dataset = parent.new_dataset::<VarLenAscii>().create(name)?;
    dataset.write_scalar(&ascii(value)?)?;
    Ok(dataset)
}

fn ascii(text: &str) -> hdf5::Result<VarLenAscii> {
    VarLenAscii::from_ascii(text)
        .map_err(|e| hdf5::Error::from(format!("`{text}` is not ASCII: {e}")))
}

/// 1-D ASCII text dataset of dates and times (`file_create_date`).
pub fn date_time_list(parent: &Group, name: &str, values: &[&str]) -> hdf5::Result<Dataset> {
    let values = values
        .iter()
        .map(|v| ascii(v))
        .collect::<hdf5::Result<Vec<_>>>()?;
    parent
        .new_dataset_builder()
        .with_data(values.as_slice())
        .create(name)
}

/// 1-D text dataset.
pub fn text_list<S: AsRef<str>>(parent: &Group, name: &str, values: &[S]) -> hdf5::Result<Dataset> {
    let values = values
        .iter()
        .map(|v| unicode(v.as_ref()))
        .collect::<hdf5::Result<Vec<_>>>()?;
    parent
        .new_dataset_builder()
        .with_data(values.as_slice())
        .create(name)
}

/// 2-D text dataset, one row per entry (`was_generated_by`: name, version).
pub fn text_rows<const N: usize>(
    parent: &Group,
    name: &str,
    rows: &[[&str; N]],
) -> hdf5::Result<Dataset> {
    let mut values = Vec::with_capacity(rows.len() * N);
    for row in rows {
        for cell in row {
            values.push(unicode(cell)?);
        }
    }
    let array = ndarray::Array2::from_shape_vec((rows.len(), N), values)
        .map_err(|e| hdf5::Error::from(e.to_string()))?;
    parent.new_dataset_builder().with_data(&array).create(name)
}

/// Rows at which a numeric array is compressed: smaller ones are stored as
/// they are (compression costs more than it saves there).
const COMPRESS_FROM_BYTES: usize = 64 * 1024;

/// A numeric array dataset, shuffled and deflated when it is large.
pub fn array<'d, T: H5Type, D: ndarray::Dimension>(
    parent: &Group,
    name: &str,
    data: ndarray::ArrayView<'d, T, D>,
) -> hdf5::Result<Dataset> {
    let builder = parent.new_dataset_builder();
    if data.len() * std::mem::size_of::<T>() >= COMPRESS_FROM_BYTES {
        builder.with_data(data).shuffle().deflate(1).create(name)
    } else {
        builder.with_data(data).create(name)
    }
}
