CREATE TABLE `queue_lag` (
	`queue` text NOT NULL,
	`minute` integer NOT NULL,
	`batches` integer NOT NULL,
	`messages` integer NOT NULL,
	`retried` integer NOT NULL,
	`max_wait_ms` integer NOT NULL,
	`total_wait_ms` integer NOT NULL,
	PRIMARY KEY(`queue`, `minute`)
);
