//! Reusable pieces: page layout and form controls.

pub mod avatar;
pub mod cookies;
pub mod form;
pub mod layout;
pub mod paged;
pub mod passkey;
pub mod sso;
pub mod step_up;
