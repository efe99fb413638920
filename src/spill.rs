//! A file a build sets records aside in, so that it does not hold them in memory until
//! the step that reads them: the pages' search documents until the index
//! (`documents`), their links and anchors until the check (`output::SetAside`), the
//! index's memory until the build's state is saved (`search::index::Memory`).
//!
//! Records are appended as they are made, from any thread, and read back by where they
//! went. A write that fails (a full disk) loses nothing: the bytes the file did not take
//! stay in memory, and so does every record placed after them, so the build goes on
//! with more memory rather than fail. Such a file is not whole, and [`Spill::flush`]
//! says so, so that no later build is told to read it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

#[derive(Debug)]
pub struct Spill {
    writer: Mutex<Writer>,
    /// The same file, read at an offset by any thread without the lock.
    reader: File,
}

#[derive(Debug)]
struct Writer {
    to: To,
    /// Bytes placed so far, in the file and held: where the next record goes.
    len: u64,
    /// Written since the last flush: a read flushes first.
    dirty: bool,
}

/// Where new records go.
#[derive(Debug)]
enum To {
    File(BufWriter<Taken>),
    /// After a failed write: where the bytes the file lacks start, and those bytes.
    Held(u64, Vec<u8>),
}

impl Spill {
    /// A temporary file with no name, gone when the last holder of the spill is.
    pub(crate) fn temporary() -> io::Result<Spill> {
        Spill::over(tempfile::tempfile()?, 0)
    }

    /// `file`, whose first `len` bytes are records already placed; new ones go after
    /// them (the file's position must be at `len`).
    pub(crate) fn over(file: File, len: u64) -> io::Result<Spill> {
        Ok(Spill::writing(file.try_clone()?, Box::new(file), len))
    }

    /// Reads from `reader`, and writes through `file`, which holds `len` bytes.
    fn writing(reader: File, file: Box<dyn Write + Send>, len: u64) -> Spill {
        let to = To::File(BufWriter::with_capacity(256 * 1024, Taken { file, taken: len }));
        Spill { writer: Mutex::new(Writer { to, len, dirty: false }), reader }
    }

    /// Appends `bytes`; returns where they start.
    pub(crate) fn put(&self, bytes: &[u8]) -> io::Result<u64> {
        let mut w = self.lock()?;
        let at = w.len;
        if let To::File(out) = &mut w.to {
            if out.write_all(bytes).is_err() {
                w.hold_unwritten(at);
            }
        }
        if let To::Held(_, held) = &mut w.to {
            held.extend_from_slice(bytes);
        }
        w.len += bytes.len() as u64;
        w.dirty = true;
        Ok(at)
    }

    /// Appends what `write` writes; returns where it starts and its length. When the
    /// file fails during it, nothing is placed and the error is returned (`write` cannot
    /// be run again); later records are held in memory.
    pub(crate) fn put_with(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<(u64, u64)> {
        let mut guard = self.lock()?;
        let w = &mut *guard;
        let at = w.len;
        let written = match &mut w.to {
            To::File(out) => {
                // What the file took and what waits in the buffer: every byte accepted.
                let accepted = |out: &BufWriter<Taken>| out.get_ref().taken + out.buffer().len() as u64;
                let before = accepted(out);
                write(out).map(|()| accepted(out) - before)
            }
            To::Held(_, held) => {
                let before = held.len();
                write(held).map(|()| (held.len() - before) as u64).inspect_err(|_| held.truncate(before))
            }
        };
        if written.is_err() {
            w.hold_unwritten(at);
        }
        let len = written?;
        w.len += len;
        w.dirty = true;
        Ok((at, len))
    }

    /// The `len` bytes at `at`.
    pub(crate) fn read(&self, at: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len];
        let end = at + len as u64;
        let in_file = {
            let mut w = self.lock()?;
            w.write_out();
            match &w.to {
                To::Held(start, held) => {
                    // From `start` on, the bytes are in memory; a record may begin before.
                    let from = at.max(*start).min(end);
                    if from < end {
                        let (i, j) = ((from - start) as usize, (end - start) as usize);
                        let part = held.get(i..j).ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                        bytes[(from - at) as usize..].copy_from_slice(part);
                    }
                    (from - at) as usize
                }
                To::File(_) => len,
            }
        };
        self.reader.read_exact_at(&mut bytes[..in_file], at)?;
        Ok(bytes)
    }

    /// Writes out what is buffered; returns the length of the records placed. Fails when
    /// some are held in memory after a failed write: the file is not whole.
    pub(crate) fn flush(&self) -> io::Result<u64> {
        let mut w = self.lock()?;
        w.write_out();
        match w.to {
            To::Held(..) => Err(io::Error::other("a write to the file failed; some of its records are held in memory")),
            To::File(_) => Ok(w.len),
        }
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, Writer>> {
        self.writer.lock().map_err(|_| io::Error::other("a thread failed while writing"))
    }
}

impl Writer {
    /// Flushes the buffer when something is in it.
    fn write_out(&mut self) {
        if let (true, To::File(out)) = (self.dirty, &mut self.to) {
            if out.flush().is_err() {
                let len = self.len;
                self.hold_unwritten(len);
            }
        }
        self.dirty = false;
    }

    /// After a write failed: the records placed before `placed` stay whole, in the file
    /// or, from where the file ends, in memory (the part of the buffer it did not take);
    /// what the failed write left is dropped, never written.
    fn hold_unwritten(&mut self, placed: u64) {
        let to = std::mem::replace(&mut self.to, To::Held(placed, Vec::new()));
        let To::File(out) = to else {
            self.to = to;
            return;
        };
        let (file, buffered) = out.into_parts();
        let buffered = buffered.unwrap_or_default();
        let in_file = file.taken;
        let (start, held) = match placed.checked_sub(in_file) {
            None | Some(0) => (placed, Vec::new()),
            Some(missing) => match buffered.get(..missing as usize) {
                Some(missing) => (in_file, missing.to_vec()),
                // Lost (a write the buffer passed straight to the file): those records
                // read back as errors, which fail the step that reads them.
                None => (placed, Vec::new()),
            },
        };
        self.to = To::Held(start, held);
    }
}

/// The file, counting the bytes it took.
struct Taken {
    file: Box<dyn Write + Send>,
    taken: u64,
}

impl std::fmt::Debug for Taken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taken").field("taken", &self.taken).finish_non_exhaustive()
    }
}

impl Write for Taken {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.taken += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_where_they_were_placed() {
        let spill = Spill::temporary().unwrap();
        let places: Vec<(u64, Vec<u8>)> =
            (0..200u32).map(|n| n.to_le_bytes().repeat(n as usize % 9)).map(|b| (spill.put(&b).unwrap(), b)).collect();
        let (at, len) =
            spill.put_with(|out| out.write_all(b"streamed").and_then(|_| out.write_all(b" in two"))).unwrap();
        assert_eq!(spill.read(at, len as usize).unwrap(), b"streamed in two");
        for (at, bytes) in places.iter().rev() {
            assert_eq!(&spill.read(*at, bytes.len()).unwrap(), bytes);
        }
        assert_eq!(spill.flush().unwrap(), at + len);
    }

    /// A file on a disk with room for `room` bytes: a write past it takes what fits and
    /// fails, as on a full file system.
    struct Full {
        file: File,
        room: u64,
        taken: u64,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let fits = usize::try_from(self.room - self.taken).unwrap_or(usize::MAX).min(buf.len());
            if fits == 0 && !buf.is_empty() {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left on device"));
            }
            let n = self.file.write(&buf[..fits])?;
            self.taken += n as u64;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.file.flush()
        }
    }

    fn full_after(room: u64, buffer: usize) -> Spill {
        let file = tempfile::tempfile().unwrap();
        let mut spill = Spill::writing(file.try_clone().unwrap(), Box::new(Full { file, room, taken: 0 }), 0);
        let w = spill.writer.get_mut().unwrap();
        let To::File(out) = std::mem::replace(&mut w.to, To::Held(0, Vec::new())) else { unreachable!() };
        w.to = To::File(BufWriter::with_capacity(buffer, out.into_parts().0));
        spill
    }

    #[test]
    fn a_full_disk_loses_no_record() {
        for (room, buffer) in [(0, 64), (10, 64), (500, 64), (1_000, 8), (1_000, 4096), (5_000, 64), (9_000, 64)] {
            let spill = full_after(room, buffer);
            let records: Vec<Vec<u8>> = (0..300u32).map(|n| n.to_le_bytes().repeat(1 + n as usize % 11)).collect();
            let places: Vec<u64> = records.iter().map(|r| spill.put(r).unwrap()).collect();
            let streamed = spill.put_with(|out| out.write_all(&[7; 100]));
            for (at, record) in places.iter().zip(&records).rev() {
                assert_eq!(&spill.read(*at, record.len()).unwrap(), record, "room {room}, buffer {buffer}, at {at}");
            }
            if let Ok((at, len)) = streamed {
                assert_eq!(spill.read(at, len as usize).unwrap(), [7; 100]);
            }
            let total: u64 = records.iter().map(|r| r.len() as u64).sum::<u64>() + 100;
            assert_eq!(spill.flush().is_ok(), total <= room, "room {room}: whole only when it all fitted");
        }
    }
}
