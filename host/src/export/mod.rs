//! Writing a run in other tools' formats, for sharing: [`nwb`] (Neurodata
//! Without Borders 2.x). An export reads a finished run file through the
//! store's [`RunCatalog`](crate::store::RunCatalog) and writes a new file of
//! its own; it never changes the run.

pub mod nwb;
