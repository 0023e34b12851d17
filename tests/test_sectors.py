"""Tests for the sector catalogue data files and their loader."""

import csv
from pathlib import Path

import numpy as np
import pytest

from parksim.simulation.errors import ConfigError
from parksim.simulation.sectors import (
    DEFAULT_IO_PATH,
    DEFAULT_SECTORS_PATH,
    SectorCatalogue,
    default_sectors,
    load_sectors,
)


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture
def copies(tmp_path):
    """Fresh editable copies of both packaged files, as (sector rows, io rows, write function)."""
    sectors, io = _read(DEFAULT_SECTORS_PATH), _read(DEFAULT_IO_PATH)

    def load():
        return load_sectors(_write(tmp_path / "sectors.csv", sectors),
                            _write(tmp_path / "io_coefficients.csv", io))

    return sectors, io, load


def _set(rows, key, column, value):
    header = rows[0]
    for r in rows[1:]:
        if r[0] == key:
            r[header.index(column)] = value
            return
    raise KeyError(key)


def test_packaged_catalogue_loads():
    """The packaged files load into a SectorCatalogue with consistent array shapes."""
    cat = default_sectors()
    assert isinstance(cat, SectorCatalogue)
    assert cat.io.shape == (cat.n, cat.n)
    for name in ("chain", "stage", "is_service", "intensity_median", "tax_rate",
                 "demand_share", "pollution_class"):
        assert getattr(cat, name).shape == (cat.n,)


def test_default_sectors_is_cached():
    """default_sectors returns the same object each call."""
    assert default_sectors() is default_sectors()


def test_arrays_are_read_only():
    """The shared arrays cannot be mutated by a model."""
    cat = default_sectors()
    with pytest.raises(ValueError):
        cat.io[0, 0] = 0.5
    with pytest.raises(ValueError):
        cat.tax_rate[0] = 0.5


def test_at_least_20_sectors():
    """The catalogue has at least 20 sectors."""
    assert default_sectors().n >= 20


def test_chains_have_several_stages():
    """There are at least 6 chains and each spans at least 2 distinct stages."""
    cat = default_sectors()
    assert len(cat.chain_keys) >= 6
    for c in cat.chain_keys:
        assert len(set(cat.stage[cat.chain_members(c)])) >= 2, c


def test_covers_key_industries():
    """Chains cover equipment, chemicals, energy, food, textiles, metallurgy, pharma, electronics, new materials/energy, autos."""
    cat = default_sectors()
    for chain in ("equipment", "chemicals", "energy", "food", "textiles_apparel", "metallurgy_building",
                  "pharmaceuticals", "electronics", "new_energy_materials", "automobile"):
        assert cat.chain_members(chain).sum() >= 2, chain
    for key in ("building_materials", "new_materials", "new_energy_equipment", "vehicles", "apparel"):
        cat.index(key)


def test_io_column_sums_below_one():
    """Every IO column sums to strictly less than 1 and no coefficient is negative."""
    io = default_sectors().io
    assert (io >= 0).all()
    assert (io.sum(axis=0) < 1).all()


def test_demand_shares_sum_to_one():
    """Demand shares sum to 1 within 1e-9."""
    assert abs(default_sectors().demand_share.sum() - 1) < 1e-9


def test_demand_weighted_intensity_in_range():
    """The demand-weighted mean median intensity lies in 300–450 万元/mu."""
    cat = default_sectors()
    assert 300 <= float(cat.demand_share @ cat.intensity_median) <= 450


def test_service_flags():
    """Exactly the three producer-service sectors are flagged as services."""
    cat = default_sectors()
    assert {k for k, s in zip(cat.keys, cat.is_service) if s} == {
        "software_it_services", "logistics", "business_services"}


def test_unknown_sector_key_raises():
    """index() of an unknown key raises ConfigError naming the key."""
    with pytest.raises(ConfigError, match="no_such_sector"):
        default_sectors().index("no_such_sector")


def test_io_reordered_by_key(copies):
    """An IO file with permuted rows and columns loads to the same matrix."""
    sectors, io, load = copies
    body = io[1:][::-1]
    perm = list(range(1, len(io[0])))[::-1]
    io[:] = [[io[0][0]] + [io[0][j] for j in perm]] + [[r[0]] + [r[j] for j in perm] for r in body]
    assert np.array_equal(load().io, default_sectors().io)


def test_non_square_io_raises(copies):
    """An IO matrix with a row missing raises ConfigError naming the file."""
    _, io, load = copies
    del io[-1]
    with pytest.raises(ConfigError, match=r"io_coefficients\.csv.*square"):
        load()


def test_io_column_sum_at_least_one_raises(copies):
    """An IO column summing to >= 1 raises ConfigError naming the file and the column."""
    _, io, load = copies
    col = io[0].index("vehicles")
    io[1][col] = "0.9"
    with pytest.raises(ConfigError, match=r"io_coefficients\.csv column vehicles sum.*got 1\.575"):
        load()


def test_negative_io_coefficient_raises(copies):
    """A negative IO coefficient raises ConfigError naming the file and the value."""
    _, io, load = copies
    io[2][3] = "-0.01"
    with pytest.raises(ConfigError, match=r"io_coefficients\.csv row .*'-0\.01'"):
        load()


def test_unknown_stage_raises(copies):
    """An unknown stage raises ConfigError naming the file, row and value."""
    sectors, _, load = copies
    _set(sectors, "textiles", "stage", "sidestream")
    with pytest.raises(ConfigError, match=r"sectors\.csv row 'textiles' column stage.*'sidestream'"):
        load()


def test_negative_rate_raises(copies):
    """A negative tax rate raises ConfigError naming the file, row and value."""
    sectors, _, load = copies
    _set(sectors, "textiles", "tax_rate", "-0.03")
    with pytest.raises(ConfigError, match=r"sectors\.csv row 'textiles' column tax_rate.*'-0\.03'"):
        load()


def test_non_numeric_value_raises(copies):
    """A non-numeric intensity raises ConfigError naming the file and the value."""
    sectors, _, load = copies
    _set(sectors, "apparel", "intensity_median", "lots")
    with pytest.raises(ConfigError, match=r"sectors\.csv row 'apparel' column intensity_median.*'lots'"):
        load()


def test_bad_pollution_class_raises(copies):
    """A pollution class outside 1..3 raises ConfigError."""
    sectors, _, load = copies
    _set(sectors, "apparel", "pollution_class", "4")
    with pytest.raises(ConfigError, match=r"sectors\.csv row 'apparel' column pollution_class.*'4'"):
        load()


def test_duplicate_key_raises(copies):
    """A duplicated sector key raises ConfigError naming the file and the key."""
    sectors, _, load = copies
    sectors[2][0] = sectors[1][0]
    with pytest.raises(ConfigError, match=rf"sectors\.csv .*column key.*'{sectors[1][0]}'"):
        load()


def test_missing_column_raises(copies):
    """A sectors.csv without a required column raises ConfigError naming the column."""
    sectors, _, load = copies
    j = sectors[0].index("energy_per_output")
    for r in sectors:
        del r[j]
    with pytest.raises(ConfigError, match=r"sectors\.csv header.*energy_per_output"):
        load()


def test_demand_shares_not_summing_to_one_raises(copies):
    """Demand shares that do not sum to 1 raise ConfigError naming the file and the sum."""
    sectors, _, load = copies
    j = sectors[0].index("demand_share")
    sectors[1][j] = f"{float(sectors[1][j]) + 0.01:.4f}"
    with pytest.raises(ConfigError, match=r"sectors\.csv column demand_share sum.*1\.01"):
        load()


def test_io_keys_mismatch_raises(copies):
    """An IO supplier key absent from sectors.csv raises ConfigError naming the file and the key."""
    _, io, load = copies
    io[5][0] = "steel"
    with pytest.raises(ConfigError, match=r"io_coefficients\.csv supplier row.*'steel'"):
        load()


def test_chain_members_unknown_chain_raises():
    """chain_members of an unknown chain raises ConfigError listing the chains."""
    with pytest.raises(ConfigError, match="equipment"):
        default_sectors().chain_members("aerospace")
