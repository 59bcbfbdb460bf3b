CREATE TABLE `holdout_scores` (
	`version` text NOT NULL,
	`listener_id` text NOT NULL,
	`ndcg` real NOT NULL,
	`recall` real NOT NULL,
	PRIMARY KEY(`version`, `listener_id`)
);
--> statement-breakpoint
CREATE INDEX `holdout_scores_listener` ON `holdout_scores` (`listener_id`);