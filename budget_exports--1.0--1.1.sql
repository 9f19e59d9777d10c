-- budget_exports 1.0 -> 1.1 (ALTER EXTENSION budget_exports UPDATE TO '1.1').
-- Every change here is also in budget_exports--1.1.sql; test/t/008_upgrade.pl checks that
-- an upgraded database and a fresh 1.1 install have the same catalog.
\echo Use "ALTER EXTENSION budget_exports UPDATE TO '1.1'" to load this file. \quit
