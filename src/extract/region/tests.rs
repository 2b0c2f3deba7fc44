//! Behaviour of region extraction and lookup on real sentences.

use super::*;
