-- A LAPORPAMAN-like portal table (PostgreSQL) that the gateway pulls from: `psql portal -f laporpaman.postgresql.sql`; the same columns in laporpaman.mariadb.sql and laporpaman.sqlite.sql.
CREATE TABLE laporan (
  id_laporan SERIAL PRIMARY KEY,
  judul_laporan VARCHAR(200) NULL,
  isi_laporan TEXT NOT NULL,
  kategori VARCHAR(50) NULL,
  nama_pelapor VARCHAR(150) NULL,
  no_hp VARCHAR(30) NULL,
  email VARCHAR(150) NULL,
  nik VARCHAR(16) NULL,
  kode_wilayah VARCHAR(13) NULL,
  alamat_kejadian VARCHAR(255) NULL,
  latitude NUMERIC(10, 7) NULL,
  longitude NUMERIC(10, 7) NULL,
  tanggal_kejadian DATE NULL,
  anonim SMALLINT NOT NULL DEFAULT 0,
  rahasia SMALLINT NOT NULL DEFAULT 0,
  dibuat_pada TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  diubah_pada TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  status_lapor VARCHAR(32) NULL,
  nomor_lapor VARCHAR(64) NULL,
  alasan_lapor VARCHAR(500) NULL
);
CREATE INDEX ix_laporan_diubah ON laporan (diubah_pada, id_laporan);
