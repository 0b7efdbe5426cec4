//! Reading stored outputs back as items: a reused store entry feeding
//! downstream stages, or a dataset of an earlier file used as a pipeline input.
//!
//! Order: row 0 of every stream port (in port order), then row 1, ... — the
//! order a stage that emits one item per port per frame produced them — then
//! each dataset port once. Rows are read one chunk at a time. A table of
//! another tool's file (a 1-D compound dataset of numbers) is read as a
//! stream of its row numbers with its fields as columns ([`super::table`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hdf5::Dataset;
use macroscope_plugin_api::{ArrayData, ColumnSpec, ElementType, PortKind, PortSpec};

use super::attributes::get_str;
use super::content::rows_per_read;
use super::element;
use super::error::StoreError;
use super::hashing::ContentHasher;
use super::identity::{last_component, stream_columns};
use super::layout::{self, dataset as attr, role};
use super::open;
use super::table::{self, Table};
use crate::item::{HostItem, SharedItem};

/// Replays stored items of one stage's outputs (a reused deterministic output,
/// or a dataset of an earlier file used as a pipeline input).
pub struct Replay {
    file: PathBuf,
    pending_error: Option<StoreError>,
    ports: Vec<ReplayPort>,
    row: usize,
    cursor: usize,
    max_rows: usize,
    done: bool,
}

struct ReplayPort {
    /// Output port index reported with each item.
    index: usize,
    path: String,
    data: Dataset,
    /// Whether the items are the rows' numbers (a table), not the data's rows.
    row_numbers: bool,
    element: ElementType,
    kind: PortKind,
    /// Shape of one item.
    item_shape: Vec<u64>,
    /// Rows of a stream (1 for a dataset).
    rows: usize,
    columns: Vec<ArrayData>,
    block: Option<(usize, ArrayData)>,
    /// Recorded hash to check the content against as it streams by.
    verify: Option<(ContentHasher, String)>,
}

impl Replay {
    /// Replays the outputs `outputs` stored in `group` of `file` (the group of
    /// a verified store entry). Errors surface as the first item.
    pub fn of_group(file: &Path, group: &str, outputs: &[PortSpec]) -> Replay {
        let ports = (|| {
            let h5 = open::open_read(file)?;
            outputs
                .iter()
                .enumerate()
                .map(|(index, spec)| {
                    let path = layout::port_path(group, &spec.name);
                    open_port(&h5, file, &path, index, spec.kind, false)
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })();
        Replay::new(file, ports)
    }

    fn new(file: &Path, ports: Result<Vec<ReplayPort>, StoreError>) -> Replay {
        let (ports, pending_error) = match ports {
            Ok(ports) => (ports, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let max_rows = ports
            .iter()
            .filter(|p| p.kind == PortKind::STREAM)
            .map(|p| p.rows)
            .max()
            .unwrap_or(0);
        Replay {
            file: file.to_owned(),
            pending_error,
            ports,
            row: 0,
            cursor: 0,
            max_rows,
            done: false,
        }
    }

    fn next_position(&mut self) -> Option<(usize, usize)> {
        while self.row < self.max_rows {
            while self.cursor < self.ports.len() {
                let i = self.cursor;
                self.cursor += 1;
                let port = &self.ports[i];
                if port.kind == PortKind::STREAM && port.rows > self.row {
                    return Some((i, self.row));
                }
            }
            self.cursor = 0;
            self.row += 1;
        }
        while self.cursor < self.ports.len() {
            let i = self.cursor;
            self.cursor += 1;
            if self.ports[i].kind == PortKind::DATASET {
                return Some((i, 0));
            }
        }
        None
    }

    fn read(&mut self, port: usize, row: usize) -> Result<(usize, SharedItem), StoreError> {
        let file = self.file.clone();
        let p = &mut self.ports[port];
        let h5 = |e| StoreError::hdf5(&file, format!("reading {}", p.path), e);
        let data = match p.kind {
            PortKind::STREAM if p.row_numbers => table::row_item(row),
            PortKind::STREAM => {
                let covered = matches!(&p.block, Some((start, block)) if row >= *start && row < start + block.len() / p.item_len());
                if !covered {
                    let end = (row + rows_per_read(&p.data)).min(p.rows);
                    let block = element::read(&p.data, p.element, Some(row..end))
                        .map_err(|e| StoreError::hdf5(&file, format!("reading {}", p.path), e))?;
                    p.block = Some((row, block));
                }
                let (start, block) = p.block.as_ref().expect("block just read");
                let len = p.item_len();
                block.copy_range((row - start) * len..(row - start + 1) * len)
            }
            _ => element::read(&p.data, p.element, None).map_err(h5)?,
        };
        if let Some((hasher, expected)) = &mut p.verify {
            hasher.update(data.as_bytes());
            if row + 1 == p.rows {
                let actual = std::mem::take(hasher).finish();
                if &actual != expected {
                    return Err(StoreError::HashMismatch {
                        file,
                        dataset: p.path.clone(),
                        expected: expected.clone(),
                        actual,
                    });
                }
            }
        }
        let meta = p
            .columns
            .iter()
            .map(|column| element::scalar_at(column, row))
            .collect();
        Ok((
            p.index,
            Arc::new(HostItem {
                data,
                shape: p.item_shape.clone(),
                meta,
            }),
        ))
    }
}

impl ReplayPort {
    fn item_len(&self) -> usize {
        self.item_shape.iter().product::<u64>().max(1) as usize
    }
}

impl Iterator for Replay {
    /// `(output port index, item)`.
    type Item = Result<(usize, SharedItem), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.pending_error.take() {
            self.done = true;
            return Some(Err(error));
        }
        if self.done {
            return None;
        }
        let Some((port, row)) = self.next_position() else {
            self.done = true;
            return None;
        };
        let item = self.read(port, row);
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}

/// Opens one port's data (and preloads its columns).
fn open_port(
    h5: &hdf5::File,
    file: &Path,
    path: &str,
    index: usize,
    kind: PortKind,
    verify: bool,
) -> Result<ReplayPort, StoreError> {
    let err = |e| StoreError::hdf5(file, format!("opening {path}"), e);
    let data = h5.dataset(path).map_err(err)?;
    let element = port_element(file, path, &data)?;
    let shape: Vec<u64> = data.shape().iter().map(|&d| d as u64).collect();
    let (item_shape, rows, columns) = match kind {
        PortKind::STREAM => {
            let rows = stream_rows(file, path, &shape)?;
            let columns = stream_columns(h5, path, &data)
                .map_err(err)?
                .into_iter()
                .map(|(_, column)| {
                    let element = column_element(file, path, rows, &column)?;
                    element::read(&column, element, None).map_err(err)
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            (shape[1..].to_vec(), rows as usize, columns)
        }
        _ => (shape.clone(), 1, Vec::new()),
    };
    let verify = match get_str(&data, attr::CONTENT_SHA256) {
        Some(expected) if verify && !expected.is_empty() => Some((ContentHasher::new(), expected)),
        _ => None,
    };
    Ok(ReplayPort {
        index,
        path: path.to_owned(),
        data,
        row_numbers: false,
        element,
        kind,
        item_shape,
        rows,
        columns,
        block: None,
        verify,
    })
}

/// Opens a table as a stream port: its row numbers, its fields preloaded as columns.
fn open_table(
    file: &Path,
    path: &str,
    data: Dataset,
    table: &Table,
) -> Result<ReplayPort, StoreError> {
    let columns = table
        .read_columns(&data)
        .map_err(|e| StoreError::hdf5(file, format!("reading the fields of {path}"), e))?;
    Ok(ReplayPort {
        index: 0,
        path: path.to_owned(),
        data,
        row_numbers: true,
        element: table::ROW_NUMBER,
        kind: PortKind::STREAM,
        item_shape: Vec::new(),
        rows: table.rows as usize,
        columns,
        block: None,
        verify: None,
    })
}

/// The element type of dataset `path` of `file`, or the error naming the
/// type it holds when no port can carry that.
fn port_element(file: &Path, path: &str, data: &Dataset) -> Result<ElementType, StoreError> {
    let dtype = data
        .dtype()
        .map_err(|e| StoreError::hdf5(file, format!("reading the type of {path}"), e))?;
    match dtype
        .to_descriptor()
        .ok()
        .and_then(|d| element::from_descriptor(&d))
    {
        Some(element) => Ok(element),
        None => Err(StoreError::UnsupportedElement {
            file: file.to_owned(),
            dataset: path.to_owned(),
            found: element::type_name(&dtype),
        }),
    }
}

/// The number of rows of the stream whose data `path` has shape `shape`: its
/// first axis, which a 0-d dataset does not have.
fn stream_rows(file: &Path, path: &str, shape: &[u64]) -> Result<u64, StoreError> {
    shape.first().copied().ok_or_else(|| {
        StoreError::format(
            file,
            format!("{path} has role `stream` but is 0-d: a stream's first axis counts its items"),
        )
    })
}

/// The element type of `column`, a column of the stream `path` of `rows`
/// rows, which must hold one value per row.
fn column_element(
    file: &Path,
    path: &str,
    rows: u64,
    column: &Dataset,
) -> Result<ElementType, StoreError> {
    let element = port_element(file, &column.name(), column)?;
    let shape: Vec<u64> = column.shape().iter().map(|&d| d as u64).collect();
    if shape != [rows] {
        return Err(StoreError::format(
            file,
            format!(
                "column {} has shape {shape:?}, but the stream {path} has {rows} rows: a column holds one value \
                 per row, shape [{rows}]",
                column.name()
            ),
        ));
    }
    Ok(element)
}

/// How a dataset of an existing file is read as a port: a stream if it is a
/// macroscope stream's data, else one dataset item.
fn kind_of(data: &Dataset) -> PortKind {
    if get_str(data, attr::ROLE).as_deref() == Some(role::STREAM) {
        PortKind::STREAM
    } else {
        PortKind::DATASET
    }
}

/// The spec of a dataset in an existing file, as a pipeline input port. A `*`
/// segment in `dataset` (e.g. the run id) must match exactly one dataset.
pub fn describe_dataset(path: &Path, dataset: &str) -> Result<PortSpec, StoreError> {
    let h5 = open::open_read(path)?;
    let dataset = &super::dataset_path::resolve(&h5, path, dataset)?;
    let err = |e| StoreError::hdf5(path, format!("reading dataset {dataset}"), e);
    let data = h5.dataset(dataset).map_err(err)?;
    let name = get_str(&data, attr::PORT).unwrap_or_else(|| last_component(dataset).to_owned());
    let mut spec = match Table::of(path, dataset, &data)? {
        Some(table) => table.port(&name),
        None => port_of_data(&h5, path, dataset, &data, &name)?,
    };
    spec = spec
        .with_unit(&get_str(&data, attr::UNIT).unwrap_or_default())
        .with_description(&get_str(&data, attr::DESCRIPTION).unwrap_or_default());
    if let Some(attributes) =
        get_str(&data, attr::PORT_ATTRIBUTES).and_then(|t| serde_json::from_str(&t).ok())
    {
        spec = spec.with_attributes(&attributes);
    }
    Ok(spec)
}

/// The port a dataset of numbers is read as: a stream (with its columns) if
/// it has role `stream`, else a dataset port.
fn port_of_data(
    h5: &hdf5::File,
    path: &Path,
    dataset: &str,
    data: &Dataset,
    name: &str,
) -> Result<PortSpec, StoreError> {
    let err = |e| StoreError::hdf5(path, format!("reading dataset {dataset}"), e);
    let element = port_element(path, dataset, data)?;
    let shape: Vec<u64> = data.shape().iter().map(|&d| d as u64).collect();
    Ok(match kind_of(data) {
        PortKind::STREAM => {
            let rows = stream_rows(path, dataset, &shape)?;
            let mut spec = PortSpec::stream(name, element, &shape[1..]);
            for (column_name, column) in stream_columns(h5, dataset, data).map_err(err)? {
                let column_element = column_element(path, dataset, rows, &column)?;
                spec = spec.with_column(ColumnSpec::new(
                    &column_name,
                    column_element,
                    &get_str(&column, attr::UNIT).unwrap_or_default(),
                    &get_str(&column, attr::DESCRIPTION).unwrap_or_default(),
                ));
            }
            spec
        }
        _ => PortSpec::dataset(name, element, &shape),
    })
}

/// Reads a dataset of an existing file as items (one per row of a stream, or
/// one dataset item), checking its recorded content hash as it goes.
pub fn replay_dataset(path: &Path, dataset: &str) -> Result<Replay, StoreError> {
    let h5 = open::open_read(path)?;
    let dataset = &super::dataset_path::resolve(&h5, path, dataset)?;
    let data = h5
        .dataset(dataset)
        .map_err(|e| StoreError::hdf5(path, format!("opening {dataset}"), e))?;
    let port = match Table::of(path, dataset, &data)? {
        Some(table) => open_table(path, dataset, data, &table)?,
        None => open_port(&h5, path, dataset, 0, kind_of(&data), true)?,
    };
    Ok(Replay::new(path, Ok(vec![port])))
}
