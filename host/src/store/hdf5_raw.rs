//! The few HDF5 C calls the high-level `hdf5` crate does not wrap: direct chunk
//! write, chunk lookup and listing, cross-file object copy (with or without attributes), the superblock clean-up
//! that `h5clear -s --increment` performs, reading a fixed-length string attribute, and reading a dataset through a
//! memory type of our choosing (one field of a compound). Every call runs inside
//! [`hdf5::sync::sync`], the crate's global HDF5 lock.

use std::ffi::CString;
use std::path::Path;

use hdf5::{Dataset, Group};
use hdf5_sys::h5::{hsize_t, HADDR_UNDEF};
use hdf5_sys::h5d::{H5Dchunk_iter, H5Dget_chunk_info_by_coord, H5Dwrite_chunk};
use hdf5_sys::h5f::{H5F_libver_t, H5Fclose, H5Fopen, H5F_ACC_RDWR};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5o::{H5Ocopy, H5O_COPY_WITHOUT_ATTR_FLAG};
use hdf5_sys::h5p::{
    H5Pclose, H5Pcreate, H5Pset, H5Pset_copy_object, H5Pset_create_intermediate_group,
    H5Pset_file_locking, H5Pset_libver_bounds, H5P_CLS_FILE_ACCESS, H5P_CLS_LINK_CREATE,
    H5P_CLS_OBJECT_COPY, H5P_DEFAULT,
};

extern "C" {
    // In HDF5's public API (H5Fpublic.h) but not bound by hdf5-sys.
    fn H5Fincrement_filesize(file_id: hid_t, increment: hsize_t) -> hdf5_sys::h5::herr_t;
}

/// What `h5clear --increment` adds to the end-of-allocation by default.
const EOA_INCREMENT: hsize_t = 1024 * 1024;

/// The library's error stack after a failed call (call inside the lock).
fn check(code: i32, call: &str) -> hdf5::Result<()> {
    if code < 0 {
        Err(hdf5::Error::query().unwrap_or_else(|_| hdf5::Error::from(format!("{call} failed"))))
    } else {
        Ok(())
    }
}

fn c_string(text: &str, call: &str) -> hdf5::Result<CString> {
    CString::new(text)
        .map_err(|_| hdf5::Error::from(format!("{call}: `{text}` contains a NUL byte")))
}

/// Writes one already-filtered chunk at `offset` (element coordinates of its
/// first element); filter mask 0 = every declared filter was applied.
pub fn write_chunk(dataset: &Dataset, offset: &[u64], bytes: &[u8]) -> hdf5::Result<()> {
    hdf5::sync::sync(|| unsafe {
        check(
            H5Dwrite_chunk(
                dataset.id(),
                H5P_DEFAULT,
                0,
                offset.as_ptr(),
                bytes.len(),
                bytes.as_ptr().cast(),
            ),
            "H5Dwrite_chunk",
        )
    })
}

/// File address and stored size of the chunk starting at `offset`, if it was written.
pub fn chunk_location(dataset: &Dataset, offset: &[u64]) -> hdf5::Result<Option<(u64, u64)>> {
    hdf5::sync::sync(|| unsafe {
        let (mut mask, mut addr, mut size) = (0u32, HADDR_UNDEF, 0 as hsize_t);
        check(
            H5Dget_chunk_info_by_coord(
                dataset.id(),
                offset.as_ptr(),
                &mut mask,
                &mut addr,
                &mut size,
            ),
            "H5Dget_chunk_info_by_coord",
        )?;
        Ok((addr != HADDR_UNDEF).then_some((addr, size)))
    })
}

/// File address and stored size of every chunk of a chunked dataset.
pub fn chunk_ranges(dataset: &Dataset) -> hdf5::Result<Vec<(u64, u64)>> {
    unsafe extern "C" fn collect(
        _offset: *const hsize_t,
        _filter_mask: std::ffi::c_uint,
        addr: hdf5_sys::h5::haddr_t,
        size: hsize_t,
        ranges: *mut std::ffi::c_void,
    ) -> std::ffi::c_int {
        // SAFETY: `ranges` is the `Vec` passed to H5Dchunk_iter below.
        unsafe { (*ranges.cast::<Vec<(u64, u64)>>()).push((addr, size)) };
        0
    }
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    hdf5::sync::sync(|| unsafe {
        check(
            H5Dchunk_iter(
                dataset.id(),
                H5P_DEFAULT,
                Some(collect),
                (&mut ranges as *mut Vec<(u64, u64)>).cast(),
            ),
            "H5Dchunk_iter",
        )
    })?;
    Ok(ranges)
}

/// Whether [`copy_object`] copies the attributes of what it copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attributes {
    /// Copy them with the object (and everything below it).
    Copy,
    /// Leave them behind (HDF5's `H5O_COPY_WITHOUT_ATTR_FLAG`).
    Leave,
}

/// Copies the object at `src_path` in `src` (with everything below it and,
/// as `attributes` says, its attributes; compressed chunks as they are) to
/// `dst_path` in `dst`, creating missing parent groups.
pub fn copy_object(
    src: &Group,
    src_path: &str,
    dst: &Group,
    dst_path: &str,
    attributes: Attributes,
) -> hdf5::Result<()> {
    let src_name = c_string(src_path, "H5Ocopy")?;
    let dst_name = c_string(dst_path, "H5Ocopy")?;
    hdf5::sync::sync(|| unsafe {
        let lcpl = H5Pcreate(*H5P_CLS_LINK_CREATE);
        if lcpl < 0 {
            return check(-1, "H5Pcreate(link create)");
        }
        let ocpypl = match attributes {
            Attributes::Copy => H5P_DEFAULT,
            Attributes::Leave => H5Pcreate(*H5P_CLS_OBJECT_COPY),
        };
        if ocpypl < 0 {
            H5Pclose(lcpl);
            return check(-1, "H5Pcreate(object copy)");
        }
        let leave_attributes = || {
            if attributes == Attributes::Leave {
                check(
                    H5Pset_copy_object(ocpypl, H5O_COPY_WITHOUT_ATTR_FLAG),
                    "H5Pset_copy_object",
                )
            } else {
                Ok(())
            }
        };
        let result = check(
            H5Pset_create_intermediate_group(lcpl, 1),
            "H5Pset_create_intermediate_group",
        )
        .and_then(|()| leave_attributes())
        .and_then(|()| {
            check(
                H5Ocopy(
                    src.id(),
                    src_name.as_ptr(),
                    dst.id(),
                    dst_name.as_ptr(),
                    ocpypl,
                    lcpl,
                ),
                "H5Ocopy",
            )
        });
        if ocpypl != H5P_DEFAULT {
            H5Pclose(ocpypl);
        }
        H5Pclose(lcpl);
        result
    })
}

/// Makes a file left open by a killed SWMR writer openable again, as
/// `h5clear -s --increment` does: opens it read-write with the library's
/// (private, h5clear-only) `clear_status_flags` and `skip_eof_check`
/// file-access properties, which reset the superblock's "file is open for
/// writing" flags, and moves the end-of-allocation past the end of file.
pub fn clear_status_flags(path: &Path) -> hdf5::Result<()> {
    let name = c_string(&path.to_string_lossy(), "H5Fopen")?;
    let clear_name = CString::new("clear_status_flags").expect("no NUL");
    let skip_eof_name = CString::new("skip_eof_check").expect("no NUL");
    hdf5::sync::sync(|| unsafe {
        let fapl = H5Pcreate(*H5P_CLS_FILE_ACCESS);
        if fapl < 0 {
            return check(-1, "H5Pcreate(file access)");
        }
        let mut yes: hdf5_sys::h5::hbool_t = 1;
        let result = check(
            H5Pset_libver_bounds(
                fapl,
                H5F_libver_t::H5F_LIBVER_V110,
                H5F_libver_t::H5F_LIBVER_V110,
            ),
            "H5Pset_libver_bounds",
        )
        .and_then(|()| check(H5Pset_file_locking(fapl, 0, 1), "H5Pset_file_locking"))
        .and_then(|()| {
            check(
                H5Pset(
                    fapl,
                    clear_name.as_ptr(),
                    (&mut yes as *mut hdf5_sys::h5::hbool_t).cast(),
                ),
                "H5Pset(clear_status_flags)",
            )
        })
        .and_then(|()| {
            check(
                H5Pset(
                    fapl,
                    skip_eof_name.as_ptr(),
                    (&mut yes as *mut hdf5_sys::h5::hbool_t).cast(),
                ),
                "H5Pset(skip_eof_check)",
            )
        })
        .and_then(|()| {
            let file = H5Fopen(name.as_ptr(), H5F_ACC_RDWR, fapl);
            if file < 0 {
                return check(-1, "H5Fopen");
            }
            let grown = check(
                H5Fincrement_filesize(file, EOA_INCREMENT),
                "H5Fincrement_filesize",
            );
            let closed = check(H5Fclose(file), "H5Fclose");
            grown.and(closed)
        });
        H5Pclose(fapl);
        result
    })
}

#[cfg(unix)]
extern "C" {
    fn fcntl(fd: std::ffi::c_int, cmd: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// Marks the file's descriptor close-on-exec. HDF5 opens files without
/// `O_CLOEXEC`, so a child process started while a file is open would
/// inherit the descriptor — and with it HDF5's `flock`, which then blocks
/// every later open of that file until the child exits.
#[cfg(unix)]
pub fn close_on_exec(file: &hdf5::File) -> hdf5::Result<()> {
    const F_SETFD: std::ffi::c_int = 2;
    const FD_CLOEXEC: std::ffi::c_int = 1;
    hdf5::sync::sync(|| unsafe {
        let mut handle: *mut std::ffi::c_void = std::ptr::null_mut();
        check(
            hdf5_sys::h5f::H5Fget_vfd_handle(file.id(), H5P_DEFAULT, &mut handle),
            "H5Fget_vfd_handle",
        )?;
        if handle.is_null() {
            return Ok(());
        }
        // The sec2 (POSIX) driver's handle is a pointer to its `int` descriptor.
        let fd = *handle.cast::<std::ffi::c_int>();
        if fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 {
            return Err(hdf5::Error::from(format!(
                "fcntl(FD_CLOEXEC): {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(())
    })
}

/// Nothing to do where there is no `exec`.
#[cfg(not(unix))]
pub fn close_on_exec(_file: &hdf5::File) -> hdf5::Result<()> {
    Ok(())
}

/// How a fixed-length string fills its unused bytes (HDF5's `H5T_str_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringPadding {
    /// Ends at the first NUL (C strings; MATLAB writes these).
    NullTerminated,
    /// Padded with NULs (what h5py writes for `np.bytes_`).
    NullPadded,
    /// Padded with spaces (Fortran's way).
    SpacePadded,
}

impl StringPadding {
    /// The text of a fixed-length string's bytes, its padding removed.
    pub fn text(self, bytes: &[u8]) -> String {
        let end = match self {
            StringPadding::NullTerminated | StringPadding::NullPadded => {
                bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())
            }
            StringPadding::SpacePadded => bytes
                .iter()
                .rposition(|&b| b != b' ' && b != 0)
                .map_or(0, |i| i + 1),
        };
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }
}

/// The value of a scalar (or one-element) fixed-length string attribute, ASCII
/// or UTF-8, its padding removed; `None` if the attribute is something else.
/// The `hdf5` crate reads fixed-length strings only into a type whose length
/// is known at compile time, so the bytes are read here in the file's own type.
pub fn read_fixed_string(attr: &hdf5::Attribute) -> hdf5::Result<Option<String>> {
    use hdf5_sys::h5a::H5Aread;
    use hdf5_sys::h5t::{H5T_class_t, H5T_str_t, H5Tget_class, H5Tget_strpad, H5Tis_variable_str};
    if attr.size() != 1 {
        return Ok(None);
    }
    let dtype = attr.dtype()?;
    let size = dtype.size();
    hdf5::sync::sync(|| unsafe {
        let type_id = dtype.id();
        if H5Tget_class(type_id) != H5T_class_t::H5T_STRING || H5Tis_variable_str(type_id) != 0 {
            return Ok(None);
        }
        let padding = match H5Tget_strpad(type_id) {
            H5T_str_t::H5T_STR_NULLTERM => StringPadding::NullTerminated,
            H5T_str_t::H5T_STR_SPACEPAD => StringPadding::SpacePadded,
            _ => StringPadding::NullPadded,
        };
        let mut bytes = vec![0u8; size];
        check(
            H5Aread(attr.id(), type_id, bytes.as_mut_ptr().cast()),
            "H5Aread",
        )?;
        Ok(Some(padding.text(&bytes)))
    })
}

/// The class of an HDF5 type (integer, float, string, compound, ...), for
/// types the `hdf5` crate cannot describe (half floats, odd sizes).
pub fn type_class(dtype: &hdf5::Datatype) -> hdf5_sys::h5t::H5T_class_t {
    hdf5::sync::sync(|| unsafe { hdf5_sys::h5t::H5Tget_class(dtype.id()) })
}

/// Reads every element of `dataset`, converted by HDF5 to the memory type
/// `memtype`, into `out`, which must hold exactly that many elements of that
/// type's size (e.g. one field of a compound dataset, through a compound
/// memory type of that one field: HDF5 picks fields by name).
pub fn read_as_type<T: Copy>(
    dataset: &Dataset,
    memtype: &hdf5::Datatype,
    out: &mut [T],
) -> hdf5::Result<()> {
    use hdf5_sys::h5d::H5Dread;
    use hdf5_sys::h5s::H5S_ALL;
    if std::mem::size_of_val(out) != dataset.size() * memtype.size() {
        return Err(hdf5::Error::from(format!(
            "reading {}: a buffer of {} bytes for {} values of {} bytes",
            dataset.name(),
            std::mem::size_of_val(out),
            dataset.size(),
            memtype.size()
        )));
    }
    hdf5::sync::sync(|| unsafe {
        check(
            H5Dread(
                dataset.id(),
                memtype.id(),
                H5S_ALL,
                H5S_ALL,
                H5P_DEFAULT,
                out.as_mut_ptr().cast(),
            ),
            "H5Dread",
        )
    })
}
