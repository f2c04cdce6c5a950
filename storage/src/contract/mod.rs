//! The engine-agnostic contract: every `Store` engine must pass these tests.
//!
//! The tests are plain `async fn(&S)` over the trait, written once, so the embedded engine
//! and any later one (PostgreSQL) are held to exactly the same behaviour, error paths
//! included. An engine's test file instantiates them all with [`store_contract_tests!`]
//! and a factory that returns a fresh, empty store plus a guard that keeps its resources
//! (a temporary directory, a scratch database) alive for the test.
//!
//! The functions panic on a broken contract, as tests do; they are not for production use.

pub mod collections;
pub mod events;
pub mod inbound;
pub mod objects;
pub mod outbox;
pub mod pending;
pub mod principals;
pub mod recipients;
pub mod sync;
pub mod webhooks;

mod fixtures;

/// Expands to one `#[tokio::test]` per contract test, inside a module `contract`.
///
/// `$factory` is a callable returning a future of `(store, guard)`: a fresh, empty store
/// and a value dropped at the end of the test (for example a `tempfile::TempDir`).
///
/// ```ignore
/// async fn fresh() -> (RedbStore, tempfile::TempDir) { ... }
/// calinvite_storage::store_contract_tests!(fresh);
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:expr) => {
        $crate::store_contract_tests!(@each $factory;
            principals::principal_is_stored_with_lowercase_name_and_addresses,
            principals::duplicate_principal_name_is_rejected,
            principals::duplicate_principal_address_is_rejected,
            principals::invalid_principal_input_is_rejected,
            principals::principals_are_listed_in_creation_order,
            principals::set_password_raises_credential_version,
            principals::set_emails_frees_old_addresses_and_refuses_taken_ones,
            principals::updating_a_missing_principal_is_not_found,
            principals::api_key_is_found_by_hash_and_listed_per_principal,
            principals::api_key_deletion_is_scoped_to_its_principal,
            principals::duplicate_api_key_hash_is_rejected,
            collections::collection_is_created_and_found_by_id_and_path,
            collections::duplicate_collection_path_is_rejected,
            collections::collection_for_a_missing_principal_is_not_found,
            collections::malformed_collection_paths_are_rejected,
            collections::nested_collection_needs_an_existing_plain_parent,
            collections::collection_cannot_take_the_name_of_an_object_in_its_parent,
            collections::child_collections_lists_direct_children_in_path_order,
            collections::patch_collection_sets_then_removes_properties,
            collections::delete_collection_removes_objects_children_and_events,
            collections::copy_collection_copies_objects_and_subcollections,
            collections::move_collection_removes_the_source_and_keeps_events,
            collections::copy_collection_onto_an_existing_path_needs_overwrite,
            collections::collection_cannot_be_copied_into_itself,
            objects::put_then_get_returns_body_metadata_and_etag,
            objects::overwrite_changes_etag_and_keeps_dead_properties,
            objects::put_into_a_missing_collection_is_not_found,
            objects::invalid_object_names_are_rejected,
            objects::if_match_with_another_etag_fails_and_writes_nothing,
            objects::if_match_on_a_missing_object_fails,
            objects::if_none_match_star_on_an_existing_object_fails,
            objects::uid_conflict_names_the_object_holding_the_uid,
            objects::changing_an_objects_uid_frees_the_old_one,
            objects::plain_collections_do_not_index_uids,
            objects::object_cannot_take_the_name_of_a_child_collection,
            objects::listings_are_ordered_by_name_and_skip_missing_names,
            objects::delete_object_checks_existence_and_precondition,
            objects::patch_object_keeps_the_etag,
            objects::copy_object_to_another_collection_keeps_the_source,
            objects::move_object_within_a_collection_keeps_its_uid,
            objects::copy_object_onto_an_existing_name_needs_overwrite,
            objects::copy_object_into_a_calendar_checks_the_uid,
            objects::short_ranges_match_with_half_open_edges,
            objects::long_and_unbounded_ranges_are_found,
            objects::unbounded_event_is_found_years_after_its_start,
            objects::time_index_follows_overwrite_delete_and_move,
            objects::objects_without_a_range_are_not_in_range_queries,
            sync::new_collection_has_no_changes,
            sync::changes_since_reports_puts_updates_and_deletes,
            sync::token_above_the_current_sequence_is_invalid,
            sync::changes_since_the_current_token_are_empty,
            sync::limit_truncates_and_the_client_can_continue,
            sync::copy_and_move_are_logged_in_both_collections,
            sync::changes_of_a_missing_collection_are_not_found,
            events::event_upsert_creates_with_defaults_then_updates_given_fields,
            events::events_are_found_by_uid_code_and_owner,
            events::events_with_uid_span_owners,
            events::generated_public_codes_are_unambiguous_and_unique,
            events::taken_public_code_is_rejected,
            events::list_events_pages_by_id,
            events::event_for_a_missing_principal_is_not_found,
            recipients::invite_adds_recipients_and_queues_one_job_each,
            recipients::invite_with_a_known_idempotency_key_replays_the_batch,
            recipients::invite_skips_invited_suppressed_and_repeated_addresses,
            recipients::invite_to_another_owners_event_is_not_found,
            recipients::invite_rejects_a_malformed_address_and_writes_nothing,
            recipients::recipient_is_found_by_token_and_by_address_in_any_case,
            recipients::list_recipients_pages_by_address_and_filters_by_answer,
            recipients::newer_answer_applies_and_older_one_is_stale,
            recipients::equal_sequence_with_newer_dtstamp_applies,
            recipients::answer_for_an_occurrence_leaves_the_whole_event_alone,
            recipients::answer_from_an_unknown_recipient_is_not_found,
            recipients::count_recipients_follows_answers,
            recipients::set_delivery_records_the_state,
            recipients::suppression_list_adds_removes_and_pages,
            outbox::enqueue_creates_each_dedupe_key_once,
            outbox::lease_takes_due_jobs_oldest_first,
            outbox::expired_lease_makes_the_job_due_again,
            outbox::finish_jobs_applies_a_whole_batch_and_records_each_recipients_delivery,
            outbox::finish_done_retry_and_failed_update_the_batch,
            outbox::finish_by_another_owner_is_lease_lost,
            outbox::finish_without_a_lease_is_lease_lost,
            outbox::release_leases_makes_the_owners_jobs_due_now,
            outbox::effects_commit_with_the_object_in_one_transaction,
            outbox::failed_precondition_writes_no_object_event_or_job,
            outbox::fan_out_reaches_matching_unsuppressed_recipients,
            outbox::fan_out_to_an_explicit_event_on_delete,
            outbox::an_object_write_invites_its_new_attendees_in_the_same_transaction,
            pending::hold_creates_a_pending_change_and_no_jobs,
            pending::second_hold_folds_into_the_pending_change,
            pending::a_cancel_held_after_a_change_wins,
            pending::list_pending_is_per_owner_and_oldest_first,
            pending::approve_queues_the_held_fan_out_and_removes_it,
            pending::approve_or_discard_of_an_unknown_id_is_not_found,
            pending::discard_removes_the_pending_change_without_jobs,
            pending::failed_precondition_writes_no_pending_change,
            pending::hold_and_fan_out_in_one_effects_apply_both,
            pending::deleting_the_collection_removes_its_events_pending_changes,
            pending::hold_for_a_missing_event_is_not_found_and_writes_nothing,
            inbound::inbound_message_is_kept_with_its_raw_bytes,
            inbound::message_id_seen_before_is_not_stored_again,
            inbound::inbound_outcome_is_recorded,
            inbound::list_inbound_is_newest_first_paged_and_filtered,
            inbound::batched_inbound_writes_equal_single_ones,
            webhooks::webhook_is_created_listed_and_found_by_its_owner_only,
            webhooks::invalid_webhooks_are_rejected,
            webhooks::webhooks_for_a_type_are_the_owners_subscribers,
            webhooks::webhook_deletion_is_scoped_to_its_owner,
            webhooks::deliveries_with_different_payloads_never_share_a_dedupe_key,
            webhooks::delivery_log_is_newest_first_paged_and_shows_each_attempt,
            webhooks::deliveries_queued_with_an_object_write_enter_the_log,
        );
    };
    (@each $factory:expr; $($module:ident :: $test:ident),* $(,)?) => {
        mod contract {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let (store, _guard) = ($factory)().await;
                    $crate::contract::$module::$test(&store).await;
                }
            )*
        }
    };
}
