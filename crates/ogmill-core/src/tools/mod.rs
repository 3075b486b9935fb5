//! Tools beside the render path, which it never calls: turning a designer's export into a
//! template ([`import`]), and checking a page's cards the way each platform shows them
//! ([`check`], [`platforms`]).

pub mod check;
pub mod import;
pub mod platforms;
