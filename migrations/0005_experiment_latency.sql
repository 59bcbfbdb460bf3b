CREATE TABLE `experiment_latency` (
	`experiment_id` text NOT NULL,
	`variant` text NOT NULL,
	`bucket` integer NOT NULL,
	`upper_ms` real NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`experiment_id`, `variant`, `bucket`)
);
--> statement-breakpoint
ALTER TABLE `experiments` ADD `bucket_from` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `bucket_to` integer;