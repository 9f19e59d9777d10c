#include "pg/default_source_reader.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/report/money.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"
}

namespace budget_exports::pg {

namespace {

// ---------------------------------------------------------------------------------------
// The default data source, read by the worker itself (issue #14).
//
// budget_exports_budget_rows() is a PL/pgSQL RETURN QUERY: it materialises its whole result
// (spilling to disk past work_mem) and sorts it before the first row is fetched, and every
// cell then went through a text output function. A function with a SET clause (the pinned
// search_path) is never inlined, so for the extension's own data source the worker runs the
// same query itself, schema-qualified under its pinned search_path, as the same reader role
// and in the same snapshot (every cursor here is read-only: they share the transaction's one
// snapshot), in three parts:
//   1. the couple, its categories and milestones (a few rows, ordered as the function does);
//   2. the partners' user ids and the names of their categories, by id;
//   3. the line items through a cursor, ORDER BY transaction_date, id served by the app's
//      index (user_id, transaction_date) and an incremental sort per day, merged across the
//      two partners: rows reach the spool while the query is still running, memory is flat,
//      and each cell is read in its binary form (dates, text, text[]) and converted once,
//      into the line item. Only the amount comes as numeric text (exact, parsed once).
//      Without filters on the line items (most exports) the query has no filter clauses and
//      no join, and for couples of up to 5,000 line items one plan kept for all of them;
//      the category names come from part 2.
// An operator's own data source (budget_exports.data_source) still goes through the
// function (read_budget below). Whatever changes in the function's query must change here
// too: test/t/018_streaming_read.pl compares the files of both paths (016 checks the figures).

// The filters, as the function reads them ($2 = filters).
const char* const kFiltersCte =
    "f AS (SELECT CASE WHEN $2::jsonb ? 'categories' "
    "THEN ARRAY(SELECT jsonb_array_elements_text($2::jsonb -> 'categories')) END AS categories, "
    "coalesce($2::jsonb ->> 'payment_status', 'all') AS payment_status, "
    "($2::jsonb #>> '{date_range,start}')::date AS date_from, "
    "($2::jsonb #>> '{date_range,end}')::date AS date_to, "
    "($2::jsonb #>> '{amount_range,min}')::numeric AS amount_min, "
    "($2::jsonb #>> '{amount_range,max}')::numeric AS amount_max, "
    "CASE WHEN $2::jsonb ? 'vendor_names' "
    "THEN ARRAY(SELECT lower(jsonb_array_elements_text($2::jsonb -> 'vendor_names'))) END AS vendors, "
    "coalesce(($2::jsonb ->> 'include_notes')::boolean, false) AS include_notes)";

// Parts 1-3 of the function's query ($1 = couple id), with its column names.
std::string head_query() {
  return std::string(kSelectList) +
         "(WITH couple AS (SELECT c.id, c.user_id, c.partner_user_id, "
         "array_remove(ARRAY[c.user_id, c.partner_user_id], NULL) AS users "
         "FROM public.couples c WHERE c.id = $1::uuid), " +
         kFiltersCte +
         ", cats AS (SELECT bc.id, bc.name, bc.allocated_amount, bc.spent_amount, bc.sort_order "
         "FROM public.budget_categories bc, couple, f WHERE bc.user_id = ANY (couple.users) "
         "AND (f.categories IS NULL OR bc.name = ANY (f.categories))), "
         "rows AS ("
         "SELECT 1 AS part, NULL::date AS row_date, NULL::uuid AS row_id, 'couple'::text AS kind, "
         "coalesce(u1.raw_user_meta_data ->> 'full_name', u1.raw_user_meta_data ->> 'name') AS partner1_name, "
         "coalesce(u2.raw_user_meta_data ->> 'full_name', u2.raw_user_meta_data ->> 'name') AS partner2_name, "
         "m.wedding_date, coalesce(nullif(m.currency_code, ''), 'USD') AS currency_code, m.total_budget, "
         "NULL::text AS category_name, NULL::numeric AS allocated_amount, NULL::numeric AS spent_amount, "
         "NULL::integer AS sort_order, NULL::text AS milestone_name, NULL::date AS due_date, "
         "NULL::text AS payment_status, NULL::date AS paid_date, NULL::date AS transaction_date, "
         "NULL::text AS description, NULL::text AS vendor_name, NULL::text AS payment_method, "
         "NULL::text AS transaction_type, NULL::text AS notes, NULL::text[] AS tags, NULL::numeric AS amount "
         "FROM couple LEFT JOIN auth.users u1 ON u1.id = couple.user_id "
         "LEFT JOIN auth.users u2 ON u2.id = couple.partner_user_id "
         "LEFT JOIN LATERAL (SELECT bm.wedding_date, bm.currency_code, bm.total_budget "
         "FROM public.budget_master bm WHERE bm.user_id = ANY (couple.users) "
         "ORDER BY bm.user_id = couple.user_id DESC LIMIT 1) m ON true "
         "UNION ALL "
         "SELECT 2, NULL, cats.id, 'category', NULL, NULL, NULL, NULL, NULL, "
         "cats.name, cats.allocated_amount, cats.spent_amount, cats.sort_order, "
         "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM cats "
         "UNION ALL "
         "SELECT 3, pm.due_date, pm.id, 'milestone', NULL, NULL, NULL, NULL, NULL, "
         "cats.name, NULL, NULL, NULL, pm.milestone_name, pm.due_date, pm.payment_status, pm.paid_date, "
         "NULL, NULL, NULL, NULL, NULL, CASE WHEN f.include_notes THEN pm.notes END, NULL, pm.amount "
         "FROM public.budget_payment_milestones pm JOIN cats ON cats.id = pm.category_id, f "
         "WHERE (f.payment_status = 'all' "
         "OR (f.payment_status = 'paid' AND pm.payment_status = 'paid') "
         "OR (f.payment_status = 'pending' AND pm.payment_status IN ('pending', 'overdue')) "
         "OR (f.payment_status = 'planned' AND pm.payment_status = 'scheduled')) "
         "AND (f.date_from IS NULL OR pm.due_date >= f.date_from) "
         "AND (f.date_to IS NULL OR pm.due_date <= f.date_to) "
         "AND (f.amount_min IS NULL OR pm.amount >= f.amount_min) "
         "AND (f.amount_max IS NULL OR pm.amount <= f.amount_max)) "
         "SELECT kind, partner1_name, partner2_name, wedding_date, currency_code, total_budget, "
         "category_name, allocated_amount, spent_amount, sort_order, milestone_name, due_date, payment_status, "
         "paid_date, transaction_date, description, vendor_name, payment_method, transaction_type, notes, tags, "
         "amount FROM rows ORDER BY part, row_date, row_id) AS head";
}

// Part 4, the line items ($1 couple, $2 filters, $3 / $4 the partners' user ids), in the
// function's order (transaction_date, id); one arm per partner so that each is an index scan
// in date order and the two merge. The sort keys lead the select list: a sort compares rows
// that tie on the date by id, and a column behind text columns of varying length is found by
// walking the row (nocachegetattr: 16 % of the worker's CPU at 100k lines with id last).
const char* const kItemArm =
    "SELECT x.id, x.category_id, x.amount, x.description, x.transaction_date, x.transaction_type, "
    "x.payment_method, x.vendor_name, x.notes, x.tags FROM public.budget_transactions x ";

std::string items_query() {
  return std::string("WITH ") + kFiltersCte +
         " SELECT t.transaction_date, t.id, bc.name, t.description, t.vendor_name, t.payment_method, "
         "t.transaction_type, CASE WHEN f.include_notes THEN t.notes END, t.tags, t.amount::text "
         "FROM (" + kItemArm + "WHERE x.user_id = $3::uuid UNION ALL " + kItemArm +
         "WHERE x.user_id = $4::uuid AND $4::uuid IS DISTINCT FROM $3::uuid) t "
         "LEFT JOIN public.budget_categories bc ON bc.id = t.category_id CROSS JOIN f "
         "WHERE f.payment_status IN ('all', 'paid') "
         "AND (f.categories IS NULL OR bc.name = ANY (f.categories)) "
         "AND (f.date_from IS NULL OR t.transaction_date >= f.date_from) "
         "AND (f.date_to IS NULL OR t.transaction_date <= f.date_to) "
         "AND (f.amount_min IS NULL OR abs(t.amount) >= f.amount_min) "
         "AND (f.amount_max IS NULL OR abs(t.amount) <= f.amount_max) "
         "AND (f.vendors IS NULL OR lower(t.vendor_name) = ANY (f.vendors)) "
         "ORDER BY t.transaction_date, t.id";
}

// The same line items when no filter narrows them ($1 / $2 the partners' user ids), the
// common case: no filter clauses and no join. Each row carries its category's id; the names
// come from CategoryNames, as the join gave them. For a couple with up to kSmallCouple line
// items one generic plan, kept for the life of the worker, serves every couple (planning the
// query above took 0.27 of its 0.66 ms for 300 lines); it sorts the rows, as a custom plan
// for so few rows does too. A generic plan cannot know that one couple's rows come from the
// index in date order (the user id is a parameter, not a constant), so larger couples get a
// plan of their own: the two index scans merged, rows streaming before the query ends.
constexpr int kSmallCouple = 5000;

std::string unfiltered_items_query() {
  return std::string("SELECT t.transaction_date, t.id, t.category_id::text, t.description, t.vendor_name, "
                     "t.payment_method, t.transaction_type, t.notes, t.tags, t.amount::text FROM (") +
         kItemArm + "WHERE x.user_id = $1::uuid UNION ALL " + kItemArm +
         "WHERE x.user_id = $2::uuid AND $2::uuid IS DISTINCT FROM $1::uuid) t ORDER BY t.transaction_date, t.id";
}

// Whether export_filters narrow the line items (the WHERE clause of items_query): a payment
// status other than "all" or "paid" leaves none, the other filters some.
bool filters_line_items(const report::ReportScope& scope) {
  return scope.categories || scope.dates || scope.amounts || scope.vendors ||
         (scope.payment_status != "all" && scope.payment_status != "paid");
}

// Part 0: the partners' user ids and how many line items they have, counted up to
// kSmallCouple + 1 (an index scan that stops there); part 1: the ids and names of their
// categories.
std::string couple_categories_query() {
  return "SELECT 0 AS part, c.user_id::text, c.partner_user_id::text, (SELECT count(*) FROM (SELECT 1 "
         "FROM public.budget_transactions x WHERE x.user_id IN (c.user_id, c.partner_user_id) LIMIT " +
         std::to_string(kSmallCouple + 1) +
         ") n)::text FROM public.couples c WHERE c.id = $1::uuid "
         "UNION ALL SELECT 1, bc.id::text, bc.name, NULL FROM public.couples c "
         "JOIN public.budget_categories bc ON bc.user_id IN (c.user_id, c.partner_user_id) WHERE c.id = $1::uuid";
}

enum ItemColumn { kItemDate, kItemId, kItemCategory, kItemDescription, kItemVendor, kItemMethod, kItemType, kItemNotes,
                  kItemTags, kItemAmount, kItemColumns };

// A cell of a fetched line item, pointing into the fetched tuple (or its detoasted copy).
struct RawText {
  const char* data;  // nullptr: SQL NULL
  int length;
};

struct RawItem {
  bool has_date;
  int year, month, day;
  RawText text[kItemColumns];  // kItemCategory .. kItemNotes, kItemAmount
  int tag_count;
  RawText* tags;
};

RawText raw_text(Datum value, bool is_null) {
  if (is_null) return {nullptr, 0};
  struct varlena* t = pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(value)));
  return {VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t))};
}

// Runs inside pg_call: fetches a batch and describes its rows in `context` (nothing is
// copied but what was toasted). `fetched` is the batch's tuple table (or null), for the caller
// to free once it has read the rows: a query run meanwhile replaces SPI_tuptable.
int fetch_raw_items(Portal portal, long batch_size, MemoryContext context, RawItem** items, SPITupleTable** fetched) {
  SPI_cursor_fetch(portal, true, batch_size);
  const int rows = static_cast<int>(SPI_processed);
  SPITupleTable* table = SPI_tuptable;
  *fetched = table;
  if (rows == 0 || table == nullptr) return 0;
  TupleDesc desc = table->tupdesc;
  if (desc->natts != kItemColumns) elog(ERROR, "budget_exports: line item query returned %d columns", desc->natts);
  MemoryContext previous = MemoryContextSwitchTo(context);
  RawItem* out = static_cast<RawItem*>(palloc0(sizeof(RawItem) * rows));
  Datum values[kItemColumns];
  bool is_null[kItemColumns];
  for (int row = 0; row < rows; row++) {
    // every column in one pass over the row (column by column, each text column behind
    // others of varying length meant walking the row again)
    heap_deform_tuple(table->vals[row], desc, values, is_null);
    RawItem& item = out[row];
    if (!is_null[kItemDate] && !DATE_NOT_FINITE(DatumGetDateADT(values[kItemDate]))) {
      item.has_date = true;
      j2date(DatumGetDateADT(values[kItemDate]) + POSTGRES_EPOCH_JDATE, &item.year, &item.month, &item.day);
    }
    for (int column : {kItemCategory, kItemDescription, kItemVendor, kItemMethod, kItemType, kItemNotes, kItemAmount}) {
      item.text[column] = raw_text(values[column], is_null[column]);
    }
    if (!is_null[kItemTags]) {
      Datum* elements = nullptr;
      bool* nulls = nullptr;
      int count = 0;
      deconstruct_array(DatumGetArrayTypeP(values[kItemTags]), TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls,
                        &count);
      item.tags = static_cast<RawText*>(palloc(sizeof(RawText) * (count > 0 ? count : 1)));
      for (int i = 0; i < count; i++) item.tags[item.tag_count++] = raw_text(elements[i], nulls[i]);
    }
  }
  MemoryContextSwitchTo(previous);
  *items = out;
  return rows;
}

void assign(std::string& target, const RawText& cell) {
  if (cell.data) {
    target.assign(cell.data, static_cast<std::size_t>(cell.length));
  } else {
    target.clear();
  }
}

// The names of the line items' categories, by id (the text of the uuid), for the unfiltered
// line-item query: the couple's own categories, read with the partners' ids, and any other
// a line item points to, looked up once (what the join of items_query gives: a name, or
// nothing for no category or one the reader cannot see).
class CategoryNames {
 public:
  void add(const char* id, const char* name) {
    if (id) names_.insert_or_assign(id, name ? name : "");
  }

  void assign_name(std::string& target, const RawText& id) {
    if (!id.data) {
      target.clear();
      return;
    }
    key_.assign(id.data, static_cast<std::size_t>(id.length));
    auto found = names_.find(key_);
    if (found == names_.end()) {
      auto rows = spi_query("SELECT bc.name FROM public.budget_categories bc WHERE bc.id = $1::uuid", {key_});
      found = names_.emplace(key_, rows.empty() ? std::string() : rows[0][0].value_or(std::string())).first;
    }
    target = found->second;
  }

 private:
  std::unordered_map<std::string, std::string> names_;
  std::string key_;
};

}  // namespace

void read_default_source(const ClaimedJob& job, BudgetBuilder& builder) {
  // A streaming scan gains nothing from JIT compilation: above jit_above_cost (about 100k
  // line items) it cost a compile per job and mapped LLVM (about 60 MB) into the worker.
  pg_call([] {
    set_config_option("jit", "off", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, ERROR, false);
  });
  const SqlParams params{job.couple_id, job.export_filters};
  SpiCursor head(head_query(), params);
  while (head.fetch(kBatchRows, [&](const CellRow& row) { builder.add(row); }) > 0) {
  }
  head.close();
  if (!builder.has_couple()) return;  // finish() says the couple is gone

  // the partners' user ids, how many line items they have, the names of their categories
  SqlParams users;
  long long line_items = 0;
  CategoryNames categories;
  {
    SpiCursor couple(couple_categories_query(), {job.couple_id});
    while (couple.fetch(kBatchRows, [&](const CellRow& row) {
      if (row[0] && row[0][0] == '0') {
        for (int column : {1, 2}) users.push_back(row[column] ? SqlParam(row[column]) : std::nullopt);
        line_items = row[3] ? std::atoll(row[3]) : 0;
      } else {
        categories.add(row[1], row[2]);
      }
    }) > 0) {
    }
    couple.close();
  }
  if (users.size() != 2) return;

  const bool filtered = filters_line_items(builder.scope());
  const bool small = line_items <= kSmallCouple;
  if (!filtered && small) {
    // the generic plan is made for an average couple: where a few couples hold most of the
    // rows, that is a scan of the whole table
    pg_call([] {
      set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, ERROR, false);
    });
  }
  // otherwise planned for each couple: its number of line items decides the best plan
  SpiCursor items = filtered ? SpiCursor(items_query(), {job.couple_id, job.export_filters, users[0], users[1]},
                                         PlanChoice::custom)
                             : SpiCursor(unfiltered_items_query(), users,
                                         small ? PlanChoice::generic : PlanChoice::custom);
  auto portal = static_cast<Portal>(items.portal());
  MemoryContext context = pg_call([] {
    return AllocSetContextCreate(CurrentMemoryContext, "budget_exports line items", ALLOCSET_DEFAULT_SIZES);
  });
  const int minor_digits = builder.currency().minor_digits;
  const bool include_notes = builder.include_notes();
  report::LineItem& item = builder.item();
  for (;;) {
    RawItem* batch = nullptr;
    SPITupleTable* table = nullptr;
    const int rows = pg_call([&] { return fetch_raw_items(portal, kBatchRows, context, &batch, &table); });
    for (int row = 0; row < rows; row++) {
      const RawItem& raw = batch[row];
      item.date = raw.has_date ? std::optional<report::Date>(report::Date{raw.year, raw.month, raw.day})
                               : std::nullopt;
      if (filtered) {
        assign(item.category, raw.text[kItemCategory]);
      } else {
        categories.assign_name(item.category, raw.text[kItemCategory]);
      }
      assign(item.description, raw.text[kItemDescription]);
      assign(item.vendor, raw.text[kItemVendor]);
      assign(item.payment_method, raw.text[kItemMethod]);
      const RawText& type = raw.text[kItemType];
      item.type = report::parse_transaction_type(type.data ? std::string(type.data, type.length) : std::string());
      if (include_notes) {
        assign(item.notes, raw.text[kItemNotes]);
      } else {
        item.notes.clear();
      }
      item.tags.resize(static_cast<std::size_t>(raw.tag_count));
      for (int i = 0; i < raw.tag_count; i++) assign(item.tags[i], raw.tags[i]);
      const RawText& amount = raw.text[kItemAmount];
      item.amount = amount.data ? report::parse_money(std::string_view(amount.data, amount.length), minor_digits)
                                : report::Money{};
      builder.add_item();
    }
    pg_call([&] {
      if (table) SPI_freetuptable(table);
      MemoryContextReset(context);
    });
    if (rows == 0) break;
  }
  items.close();
}

}  // namespace budget_exports::pg
