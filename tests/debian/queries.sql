with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000)
  select count(*), sum(x), avg(x), group_concat(x % 7, '') from (select x from c where x % 97 = 0);
create table t(a integer primary key, b text, c real);
insert into t(b, c) select printf('row%04d', value), value * 1.5 from generate_series(1, 500);
create index tb on t(b);
select count(*), max(b), sum(c), typeof(c) from t where a % 3 = 0;
select json_object('n', count(*), 'avg', round(avg(c), 3)) from t;
select b, rank() over (order by c desc) from t limit 3;
select upper('abc'), substr('sqlite', 2, 3), replace('a-b-c', '-', '+'), 7 / 2, 7 / 2.0, cast('12abc' as integer);
begin; update t set c = -c where a < 10; rollback; select min(c) from t;
select datetime(0, 'unixepoch'), date('2024-02-28', '+1 day'), strftime('%j', '2024-12-31');
