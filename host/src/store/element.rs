//! Element types as HDF5 sees them: type mapping, typed reads into
//! [`ArrayData`], and metadata scalars as column bytes.

use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use hdf5::{Dataset, Datatype, Hyperslab, Selection, SliceOrIndex};
use macroscope_plugin_api::{with_element_type, ArrayData, Element, ElementType, Scalar};

/// The HDF5 type an element is stored as (native = little-endian here). Every
/// port's codes are checked when it is declared, so an unknown type never
/// reaches the store; it would be stored as opaque bytes.
pub fn descriptor(element: ElementType) -> TypeDescriptor {
    match element {
        ElementType::U8 => TypeDescriptor::Unsigned(IntSize::U1),
        ElementType::U16 => TypeDescriptor::Unsigned(IntSize::U2),
        ElementType::U32 => TypeDescriptor::Unsigned(IntSize::U4),
        ElementType::U64 => TypeDescriptor::Unsigned(IntSize::U8),
        ElementType::I8 => TypeDescriptor::Integer(IntSize::U1),
        ElementType::I16 => TypeDescriptor::Integer(IntSize::U2),
        ElementType::I32 => TypeDescriptor::Integer(IntSize::U4),
        ElementType::I64 => TypeDescriptor::Integer(IntSize::U8),
        ElementType::F32 => TypeDescriptor::Float(FloatSize::U4),
        ElementType::F64 => TypeDescriptor::Float(FloatSize::U8),
        _ => TypeDescriptor::Unsigned(IntSize::U1),
    }
}

/// The element type of an HDF5 type, if it is one a port can carry.
pub fn from_descriptor(descriptor: &TypeDescriptor) -> Option<ElementType> {
    Some(match descriptor {
        TypeDescriptor::Unsigned(IntSize::U1) => ElementType::U8,
        TypeDescriptor::Unsigned(IntSize::U2) => ElementType::U16,
        TypeDescriptor::Unsigned(IntSize::U4) => ElementType::U32,
        TypeDescriptor::Unsigned(IntSize::U8) => ElementType::U64,
        TypeDescriptor::Integer(IntSize::U1) => ElementType::I8,
        TypeDescriptor::Integer(IntSize::U2) => ElementType::I16,
        TypeDescriptor::Integer(IntSize::U4) => ElementType::I32,
        TypeDescriptor::Integer(IntSize::U8) => ElementType::I64,
        TypeDescriptor::Float(FloatSize::U4) => ElementType::F32,
        TypeDescriptor::Float(FloatSize::U8) => ElementType::F64,
        _ => return None,
    })
}

/// The element type of a dataset.
pub fn of_dataset(dataset: &Dataset) -> hdf5::Result<Option<ElementType>> {
    Ok(from_descriptor(&dataset.dtype()?.to_descriptor()?))
}

/// An HDF5 type in the words a message refusing it uses: an element type's
/// name (`f64`), or what the type is (`compound {time: f64, direction: i8}`,
/// `f16`, `variable-length string`).
pub fn type_name(dtype: &Datatype) -> String {
    match dtype.to_descriptor() {
        Ok(descriptor) => describe(&descriptor),
        // Types the `hdf5` crate has no descriptor for: half floats, integers
        // of odd sizes, bit fields, opaque and time types.
        Err(_) => {
            let bits = dtype.size() * 8;
            match super::hdf5_raw::type_class(dtype) {
                hdf5_sys::h5t::H5T_class_t::H5T_FLOAT => format!("f{bits}"),
                hdf5_sys::h5t::H5T_class_t::H5T_INTEGER => format!("{bits}-bit integer"),
                class => format!("{class:?}"),
            }
        }
    }
}

fn describe(descriptor: &TypeDescriptor) -> String {
    if let Some(element) = from_descriptor(descriptor) {
        return element.as_str().to_owned();
    }
    match descriptor {
        TypeDescriptor::Compound(compound) => {
            let fields: Vec<String> = compound
                .fields
                .iter()
                .map(|field| format!("{}: {}", field.name, describe(&field.ty)))
                .collect();
            format!("compound {{{}}}", fields.join(", "))
        }
        TypeDescriptor::Boolean => "bool".to_owned(),
        TypeDescriptor::Enum(e) => format!("enum of {}", describe(&e.base_type())),
        TypeDescriptor::FixedAscii(n) | TypeDescriptor::FixedUnicode(n) => {
            format!("fixed-length string ({n} bytes)")
        }
        TypeDescriptor::VarLenAscii | TypeDescriptor::VarLenUnicode => {
            "variable-length string".to_owned()
        }
        TypeDescriptor::FixedArray(item, n) => format!("array of {n} {}", describe(item)),
        TypeDescriptor::VarLenArray(item) => {
            format!("variable-length array of {}", describe(item))
        }
        other => other.to_string(),
    }
}

/// Reads rows `rows` (along the first axis) of a dataset with at least one
/// dimension, or the whole dataset when `rows` is `None`.
pub fn read(
    dataset: &Dataset,
    element: ElementType,
    rows: Option<std::ops::Range<usize>>,
) -> hdf5::Result<ArrayData> {
    with_element_type!(element, T => read_as::<T>(dataset, rows), unknown => Err(
        format!("element type {element} cannot be read: this host does not know it").into()
    ))
}

fn read_as<T: Element + hdf5::H5Type>(
    dataset: &Dataset,
    rows: Option<std::ops::Range<usize>>,
) -> hdf5::Result<ArrayData> {
    let row_len = dataset.shape().iter().skip(1).product::<usize>();
    let count = match &rows {
        None => Some(dataset.size()),
        Some(rows) => rows.len().checked_mul(row_len),
    };
    can_allocate::<T>(count)?;
    let values: Vec<T> = match rows {
        None => dataset.read_raw::<T>()?,
        Some(rows) => {
            let mut slices = vec![SliceOrIndex::from(rows)];
            slices.extend((1..dataset.ndim()).map(|_| SliceOrIndex::from(..)));
            let selection = Selection::from(Hyperslab::from(slices));
            let array = dataset.read_slice::<T, _, ndarray::IxDyn>(selection)?;
            // Element-wise iteration of an `IxDyn` array costs tens of ns per
            // element (30 s for a 1.2 GB stimulus); a fresh C-order array is
            // its own row-major vector.
            match array.is_standard_layout() {
                true => match array.into_raw_vec_and_offset() {
                    (values, Some(0) | None) => values,
                    (values, Some(offset)) => values[offset..].to_vec(),
                },
                false => array.iter().cloned().collect(),
            }
        }
    };
    Ok(ArrayData::from_vec(values))
}

/// Fails, instead of aborting the process, when `count` values of `T` (as a
/// file's shape says; `None` past `usize`) cannot be allocated: the HDF5
/// crate allocates its read buffers infallibly, so the allocation is tried
/// here first (untouched, it costs no memory) and a damaged or hostile shape
/// is an error naming the size.
pub fn can_allocate<T>(count: Option<usize>) -> hdf5::Result<()> {
    let bytes = count.and_then(|n| n.checked_mul(size_of::<T>()));
    let fits = count.is_some_and(|n| Vec::<T>::new().try_reserve_exact(n).is_ok());
    if fits {
        return Ok(());
    }
    let size = crate::readable::size(bytes.map(|b| b as u64));
    Err(format!("its shape asks for {size} in memory, which cannot be allocated").into())
}

/// A metadata value as the little-endian bytes of its column type.
pub fn scalar_bytes(value: Scalar, element: ElementType, out: &mut Vec<u8>) {
    // Integers are taken as i64 and floats as f64, then cast to the column
    // type with Rust's `as` (saturating for float → int, wrapping for ints).
    macro_rules! push {
        ($t:ty) => {{
            let v: $t = match value {
                Scalar::Int(i) => i as $t,
                Scalar::Float(f) => f as $t,
            };
            out.extend_from_slice(&v.to_le_bytes());
        }};
    }
    match element {
        ElementType::U8 => push!(u8),
        ElementType::U16 => push!(u16),
        ElementType::U32 => push!(u32),
        ElementType::U64 => push!(u64),
        ElementType::I8 => push!(i8),
        ElementType::I16 => push!(i16),
        ElementType::I32 => push!(i32),
        ElementType::I64 => push!(i64),
        ElementType::F32 => push!(f32),
        ElementType::F64 => push!(f64),
        _ => {}
    }
}

/// Value `index` of a column array as a [`Scalar`] (integers as `Int`, floats as `Float`).
pub fn scalar_at(column: &ArrayData, index: usize) -> Scalar {
    fn int<T: Element + Into<i64>>(column: &ArrayData, index: usize) -> Scalar {
        Scalar::Int(column.as_slice::<T>().map_or(0, |v| v[index].into()))
    }
    match column.element() {
        ElementType::U8 => int::<u8>(column, index),
        ElementType::U16 => int::<u16>(column, index),
        ElementType::U32 => int::<u32>(column, index),
        ElementType::I8 => int::<i8>(column, index),
        ElementType::I16 => int::<i16>(column, index),
        ElementType::I32 => int::<i32>(column, index),
        ElementType::I64 => int::<i64>(column, index),
        ElementType::U64 => Scalar::Int(column.as_slice::<u64>().map_or(0, |v| v[index] as i64)),
        ElementType::F32 => Scalar::Float(
            column
                .as_slice::<f32>()
                .map_or(f64::NAN, |v| f64::from(v[index])),
        ),
        _ => Scalar::Float(column.as_slice::<f64>().map_or(f64::NAN, |v| v[index])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_type_round_trips_through_its_descriptor() {
        for name in [
            "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64",
        ] {
            let element = ElementType::parse(name).unwrap();
            assert_eq!(from_descriptor(&descriptor(element)), Some(element));
        }
    }

    #[test]
    fn a_compound_type_is_named_with_its_fields() {
        use hdf5::types::{CompoundField, CompoundType};
        let field = |name: &str, ty, index| CompoundField::new(name, ty, 0, index);
        let table = TypeDescriptor::Compound(CompoundType {
            fields: vec![
                field("time", TypeDescriptor::Float(FloatSize::U8), 0),
                field("direction", TypeDescriptor::Integer(IntSize::U1), 1),
                field("label", TypeDescriptor::VarLenUnicode, 2),
            ],
            size: 32,
        });
        assert_eq!(
            describe(&table),
            "compound {time: f64, direction: i8, label: variable-length string}"
        );
    }

    #[test]
    fn scalars_become_little_endian_column_bytes() {
        let mut out = Vec::new();
        scalar_bytes(Scalar::Int(-2), ElementType::I8, &mut out);
        scalar_bytes(Scalar::Int(0x0102), ElementType::U16, &mut out);
        scalar_bytes(Scalar::Float(1.5), ElementType::F32, &mut out);
        assert_eq!(out, [0xFE, 0x02, 0x01, 0x00, 0x00, 0xC0, 0x3F]);
    }

    #[test]
    fn a_shape_too_large_to_allocate_is_an_error_not_an_abort() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("huge.h5")).unwrap();
        // Chunked and never written: a few hundred bytes on disk.
        let dataset = file
            .new_dataset::<u16>()
            .chunk([1, 1000])
            .shape([1_000_000_000_000_usize, 1_000_000])
            .create("frames")
            .unwrap();
        let error = read(&dataset, ElementType::U16, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "its shape asks for 2.0 EB in memory, which cannot be allocated"
        );
        let error = read(&dataset, ElementType::U16, Some(0..1_000_000_000_000)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "its shape asks for 2.0 EB in memory, which cannot be allocated"
        );
    }

    #[test]
    fn slice_copies_a_range_of_elements() {
        let data = ArrayData::from_vec(vec![1u16, 2, 3, 4]);
        assert_eq!(data.copy_range(1..3), ArrayData::from_vec(vec![2u16, 3]));
    }

    #[test]
    fn column_values_read_back_as_scalars() {
        let ints = ArrayData::from_vec(vec![-1i32, 7]);
        let floats = ArrayData::from_vec(vec![0.25f64]);
        assert_eq!(scalar_at(&ints, 1), Scalar::Int(7));
        assert_eq!(scalar_at(&floats, 0), Scalar::Float(0.25));
    }
}
