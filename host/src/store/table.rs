//! A table of another tool's file read as a stream: a 1-D compound dataset
//! whose fields are all numbers (an h5py structured array, a MATLAB or pandas
//! table) is one item per row, the item being its row number (u64 scalar,
//! from 0), with one column per field, named and typed as the field, in field
//! order. A stage that reads tables (`stimulus-log`) finds its columns by name.

use std::collections::BTreeMap;
use std::path::Path;

use hdf5::types::{CompoundField, CompoundType, TypeDescriptor};
use hdf5::{Dataset, Datatype};
use macroscope_plugin_api::{
    with_element_type, ArrayData, ColumnSpec, Element, ElementType, PortSpec,
};

use super::element;
use super::error::StoreError;
use super::hashing::ContentHasher;

/// The element type of a table's items: each row's number.
pub const ROW_NUMBER: ElementType = ElementType::U64;

/// The shape of a table and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Rows: the dataset's one dimension.
    pub rows: u64,
    /// Each field's name and element type, in field order.
    pub fields: Vec<(String, ElementType)>,
}

impl Table {
    /// The table dataset `data` (at `path` of `file`) holds; `None` if it is
    /// not a compound dataset. A compound dataset that is not 1-D, or with a
    /// field that is not a number, is an error naming what it found.
    pub fn of(file: &Path, path: &str, data: &Dataset) -> Result<Option<Table>, StoreError> {
        let dtype = data
            .dtype()
            .map_err(|e| StoreError::hdf5(file, format!("reading the type of {path}"), e))?;
        let Ok(TypeDescriptor::Compound(compound)) = dtype.to_descriptor() else {
            return Ok(None);
        };
        let fields: Option<Vec<(String, ElementType)>> = compound
            .fields
            .iter()
            .map(|f| element::from_descriptor(&f.ty).map(|e| (f.name.clone(), e)))
            .collect();
        let Some(fields) = fields else {
            return Err(StoreError::UnsupportedElement {
                file: file.to_owned(),
                dataset: path.to_owned(),
                found: element::type_name(&dtype),
            });
        };
        match data.shape()[..] {
            [rows] => Ok(Some(Table {
                rows: rows as u64,
                fields,
            })),
            ref shape => Err(StoreError::format(
                file,
                format!(
                    "{path} is a table ({}) of shape {shape:?}: a table is read as a stream of rows only \
                     when it is 1-D",
                    element::type_name(&dtype)
                ),
            )),
        }
    }

    /// The stream port the table is read as, called `name`.
    pub fn port(&self, name: &str) -> PortSpec {
        self.fields
            .iter()
            .fold(
                PortSpec::stream(name, ROW_NUMBER, &[]),
                |spec, (field, element)| {
                    spec.with_column(ColumnSpec::new(field, *element, "", "a field of the table"))
                },
            )
            .with_expected_items(self.rows)
    }

    /// Every field's values, in field order.
    pub fn read_columns(&self, data: &Dataset) -> hdf5::Result<Vec<ArrayData>> {
        self.fields
            .iter()
            .map(|(name, element)| {
                with_element_type!(*element, T => read_field::<T>(data, name), unknown => Err(
                    format!("element type {element} cannot be read: this host does not know it").into()
                ))
            })
            .collect()
    }

    /// The content SHA-256 of each field, by name: what a stream's columns' hashes are.
    pub fn column_hashes(&self, data: &Dataset) -> hdf5::Result<BTreeMap<String, String>> {
        let columns = self.read_columns(data)?;
        Ok(self
            .fields
            .iter()
            .zip(columns)
            .map(|((name, _), values)| {
                let mut hasher = ContentHasher::new();
                hasher.update(values.as_bytes());
                (name.clone(), hasher.finish())
            })
            .collect())
    }

    /// SHA-256 of the items (the row numbers), as the content hash of a stream's data.
    pub fn rows_sha256(&self) -> String {
        let mut hasher = ContentHasher::new();
        for row in 0..self.rows {
            hasher.update(&row.to_le_bytes());
        }
        hasher.finish()
    }
}

/// The item of row `row`: its number.
pub fn row_item(row: usize) -> ArrayData {
    ArrayData::from_vec(vec![row as u64])
}

/// Field `name` of every row, converted to `T` by HDF5.
fn read_field<T: Element + hdf5::H5Type + Default>(
    data: &Dataset,
    name: &str,
) -> hdf5::Result<ArrayData> {
    element::can_allocate::<T>(Some(data.size()))?;
    let memtype = Datatype::from_descriptor(&TypeDescriptor::Compound(CompoundType {
        fields: vec![CompoundField::new(name, T::type_descriptor(), 0, 0)],
        size: size_of::<T>(),
    }))?;
    let mut values = vec![T::default(); data.size()];
    super::hdf5_raw::read_as_type(data, &memtype, &mut values)?;
    Ok(ArrayData::from_vec(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(hdf5::H5Type, Clone, Copy)]
    #[repr(C)]
    struct LogRow {
        time: f64,
        direction: i8,
        sweep: i32,
    }

    fn table_file(dir: &Path) -> hdf5::File {
        let file = hdf5::File::create(dir.join("log.h5")).unwrap();
        let rows = [
            LogRow {
                time: 0.0,
                direction: -1,
                sweep: -1,
            },
            LogRow {
                time: 0.25,
                direction: 2,
                sweep: 7,
            },
        ];
        file.new_dataset_builder()
            .with_data(&rows)
            .create("log")
            .unwrap();
        file
    }

    #[test]
    fn a_compound_dataset_of_numbers_is_a_stream_of_row_numbers_with_a_column_per_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = table_file(dir.path());
        let data = file.dataset("log").unwrap();
        let table = Table::of(dir.path(), "/log", &data).unwrap().unwrap();
        assert_eq!(
            table,
            Table {
                rows: 2,
                fields: vec![
                    ("time".into(), ElementType::F64),
                    ("direction".into(), ElementType::I8),
                    ("sweep".into(), ElementType::I32)
                ]
            }
        );
        let columns = table.read_columns(&data).unwrap();
        assert_eq!(
            columns,
            [
                ArrayData::from_vec(vec![0.0f64, 0.25]),
                ArrayData::from_vec(vec![-1i8, 2]),
                ArrayData::from_vec(vec![-1i32, 7])
            ]
        );
        let port = table.port("log");
        let names: Vec<&str> = port.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            (port.element, port.shape.len(), names),
            (ROW_NUMBER, 0, vec!["time", "direction", "sweep"])
        );
    }

    #[test]
    fn a_dataset_of_numbers_is_no_table() {
        let dir = tempfile::tempdir().unwrap();
        let file = table_file(dir.path());
        let data = file
            .new_dataset_builder()
            .with_data(&[1.0f64, 2.0])
            .create("times")
            .unwrap();
        assert_eq!(Table::of(dir.path(), "/times", &data).unwrap(), None);
    }

    #[test]
    fn a_table_of_more_than_one_dimension_is_refused_saying_it_must_be_1_d() {
        let dir = tempfile::tempdir().unwrap();
        let file = table_file(dir.path());
        let data = file
            .new_dataset::<LogRow>()
            .shape([2, 3])
            .create("grid")
            .unwrap();
        let error = Table::of(Path::new("log.h5"), "/grid", &data).unwrap_err();
        assert_eq!(
            error.to_string(),
            "log.h5: /grid is a table (compound {time: f64, direction: i8, sweep: i32}) of shape [2, 3]: \
             a table is read as a stream of rows only when it is 1-D"
        );
    }
}
