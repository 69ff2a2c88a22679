//! The surface the loop draws on: the terminal as the shadow backend knows it, and the last
//! frame retained (`ui::Retained`), so a frame draws, compares and writes only what changed.

use std::io::{self, Write};

use ratatui::backend::Backend;
use ratatui::layout::{Rect, Size};

use super::backend::ShadowBackend;
use crate::ui::{Frame, Retained};

pub struct Surface<W: Write> {
    backend: ShadowBackend<W>,
    frame: Retained,
}

impl<W: Write> Surface<W> {
    pub fn new(backend: ShadowBackend<W>) -> io::Result<Surface<W>> {
        let size = backend.size()?;
        Ok(Surface {
            backend,
            frame: Retained::new(Rect::new(0, 0, size.width, size.height)),
        })
    }

    pub fn backend(&self) -> &ShadowBackend<W> {
        &self.backend
    }

    pub fn backend_mut(&mut self) -> &mut ShadowBackend<W> {
        &mut self.backend
    }

    pub fn size(&self) -> io::Result<Size> {
        self.backend.size()
    }

    /// The last frame drawn.
    pub fn frame(&self) -> &Retained {
        &self.frame
    }

    /// Clears the terminal; the next frame is written in full (another program had the
    /// terminal, or its size changed).
    pub fn clear(&mut self) -> io::Result<()> {
        self.backend.clear()?;
        let size = self.backend.size()?;
        self.frame
            .invalidate(Rect::new(0, 0, size.width, size.height));
        Ok(())
    }

    /// Draws a frame with `view` and writes what changed in one go (inside a synchronized
    /// update unless it is short), the cursor shown where the frame puts it.
    pub fn draw(&mut self, view: impl FnMut(&mut Frame)) -> io::Result<()> {
        let size = self.backend.size()?;
        if Rect::new(0, 0, size.width, size.height) != self.frame.area() {
            // Resized: the terminal's cells are not known any more.
            self.clear()?;
        }
        self.backend.begin_frame()?;
        self.frame.draw(view);
        let result = self.write_frame();
        let end = self.backend.end_frame();
        result.and(end)
    }

    fn write_frame(&mut self) -> io::Result<()> {
        self.backend
            .draw_spans(self.frame.buffer(), self.frame.damage().spans())?;
        match self.frame.cursor() {
            Some(at) => {
                self.backend.show_cursor()?;
                self.backend.set_cursor_position(at)
            }
            None => self.backend.hide_cursor(),
        }
    }
}
