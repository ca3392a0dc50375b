//! Background work. For now: the scheduler for time-based credit rules.

pub mod scheduler;
pub mod worker;
