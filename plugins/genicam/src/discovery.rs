//! Finding cameras: Aravis's device list, and which entry a `camera` selector means.
//!
//! Listing sends discovery packets and reads the answers; it opens no camera,
//! so declaring the outputs (what `validate` does) may call it.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::sync::Mutex;

use crate::error::GenicamError;

/// One camera as Aravis's discovery reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// Aravis device id: what [`aravis::Camera::new`] opens.
    pub id: String,
    /// Serial number.
    pub serial: String,
    /// Network address (GigE Vision) or bus address (USB3 Vision).
    pub address: String,
    /// Manufacturer.
    pub vendor: String,
    /// Model name.
    pub model: String,
    /// `GigEVision` or `USB3Vision`.
    pub protocol: String,
}

impl CameraInfo {
    /// Whether `selector` names this camera: its id, serial number or address.
    pub fn matches(&self, selector: &str) -> bool {
        [&self.id, &self.serial, &self.address]
            .iter()
            .any(|field| field.as_str() == selector)
    }

    /// Whether the camera answers on a loopback address (a fake camera).
    pub fn on_loopback(&self) -> bool {
        self.address.starts_with("127.")
    }
}

impl fmt::Display for CameraInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} {}, serial {}, {} at {})",
            self.id, self.vendor, self.model, self.serial, self.protocol, self.address
        )
    }
}

/// Aravis's device list is global state, not safe to update from two threads.
static DEVICE_LIST: Mutex<()> = Mutex::new(());

/// Every camera Aravis finds now, on every interface it enables by default
/// (GigE Vision and USB3 Vision; not its in-process fake interface).
pub fn list_cameras() -> Vec<CameraInfo> {
    let _guard = DEVICE_LIST
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: the lock above serialises every use of Aravis's device list in
    // this library; indices stay below the count just read, and each string
    // is copied out before the list can change.
    unsafe {
        aravis_sys::arv_update_device_list();
        (0..aravis_sys::arv_get_n_devices())
            .map(|i| CameraInfo {
                id: owned(aravis_sys::arv_get_device_id(i)),
                serial: owned(aravis_sys::arv_get_device_serial_nbr(i)),
                address: owned(aravis_sys::arv_get_device_address(i)),
                vendor: owned(aravis_sys::arv_get_device_vendor(i)),
                model: owned(aravis_sys::arv_get_device_model(i)),
                protocol: owned(aravis_sys::arv_get_device_protocol(i)),
            })
            .collect()
    }
}

/// Copies a C string Aravis owns; null becomes empty.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string valid for this call.
unsafe fn owned(text: *const c_char) -> String {
    if text.is_null() {
        String::new()
    } else {
        CStr::from_ptr(text).to_string_lossy().into_owned()
    }
}

/// The one camera in `found` that `selector` names (or the only one, when
/// there is no selector).
pub fn select(found: &[CameraInfo], selector: Option<&str>) -> Result<CameraInfo, GenicamError> {
    let candidates: Vec<&CameraInfo> = match selector {
        Some(selector) => found.iter().filter(|c| c.matches(selector)).collect(),
        None => found.iter().collect(),
    };
    match candidates.as_slice() {
        [only] => Ok((*only).clone()),
        [] => Err(GenicamError::NotFound {
            selector: selector.map(str::to_owned),
            found: found.to_vec(),
        }),
        several => Err(GenicamError::Ambiguous {
            selector: selector.map(str::to_owned),
            found: several.iter().map(|c| (*c).clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(id: &str, serial: &str, address: &str) -> CameraInfo {
        CameraInfo {
            id: id.into(),
            serial: serial.into(),
            address: address.into(),
            vendor: "Aravis".into(),
            model: "Fake".into(),
            protocol: "GigEVision".into(),
        }
    }

    #[test]
    fn the_only_camera_is_chosen_without_a_selector() {
        let found = [camera("Aravis-Fake-GV01", "GV01", "127.0.0.1")];
        assert_eq!(select(&found, None).unwrap(), found[0]);
    }

    #[test]
    fn a_selector_matches_id_serial_or_address() {
        let found = [
            camera("Aravis-Fake-GV01", "GV01", "127.0.0.1"),
            camera("Basler-123", "123", "192.168.1.20"),
        ];
        for selector in ["Basler-123", "123", "192.168.1.20"] {
            assert_eq!(select(&found, Some(selector)).unwrap(), found[1]);
        }
    }

    #[test]
    fn no_camera_found_says_so_and_how_to_start_the_fake_one() {
        let error = select(&[], None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no GenICam camera found. Connect and power the camera (check `arv-tool-0.8` \
             lists it), or for a test start the fake one: `arv-fake-gv-camera-0.8 -i 127.0.0.1`"
        );
    }

    #[test]
    fn an_unmatched_selector_lists_the_cameras_found() {
        let found = [camera("Aravis-Fake-GV01", "GV01", "127.0.0.1")];
        let error = select(&found, Some("GV02")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no camera matches `camera = \"GV02\"` (an id, serial number or address). Found: \
             Aravis-Fake-GV01 (Aravis Fake, serial GV01, GigEVision at 127.0.0.1)"
        );
    }

    #[test]
    fn several_cameras_without_a_selector_are_listed() {
        let found = [
            camera("Aravis-Fake-GV01", "GV01", "127.0.0.1"),
            camera("Aravis-Fake-GV02", "GV02", "127.0.0.2"),
        ];
        let error = select(&found, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "2 cameras found; set `camera` to the id, serial number or address of one: \
             Aravis-Fake-GV01 (Aravis Fake, serial GV01, GigEVision at 127.0.0.1); \
             Aravis-Fake-GV02 (Aravis Fake, serial GV02, GigEVision at 127.0.0.2)"
        );
    }
}
