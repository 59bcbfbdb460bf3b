CREATE TABLE `experiment_audit` (
	`experiment_id` text NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `experiment_audit_experiment` ON `experiment_audit` (`experiment_id`,`at`);--> statement-breakpoint
CREATE TABLE `experiment_exposures` (
	`experiment_id` text NOT NULL,
	`listener_id` text NOT NULL,
	`variant` text NOT NULL,
	`exposed_at` integer NOT NULL,
	PRIMARY KEY(`experiment_id`, `listener_id`)
);
--> statement-breakpoint
CREATE INDEX `experiment_exposures_listener` ON `experiment_exposures` (`listener_id`);--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`definition` text NOT NULL,
	`salt` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`stopped_at` integer,
	`shipped_variant` text
);
