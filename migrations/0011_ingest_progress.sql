CREATE TABLE `ingest_progress` (
	`id` integer PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`stored_at` integer NOT NULL
);
