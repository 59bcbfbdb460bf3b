-- A track outside the model (nobody has played it yet) gets its similar tracks from its genre in D1, the
-- closest in sound (contentNeighbours): without an index each such request read the whole catalog.
CREATE INDEX `tracks_genre` ON `tracks` (`genre`);
