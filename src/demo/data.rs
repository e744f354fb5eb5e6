//! The solar-system API's data: real facts about the eight planets, a selection of moons and
//! of asteroids (rounded public figures from NASA fact sheets).

use serde_json::{Value, json};

/// The eight planets.
pub fn planets() -> Value {
    json!({"planets": [
        {"name": "Mercury", "order": 1, "type": "terrestrial", "diameter_km": 4879, "moons": 0, "day_hours": 4222.6, "year_days": 88.0},
        {"name": "Venus", "order": 2, "type": "terrestrial", "diameter_km": 12104, "moons": 0, "day_hours": 2802.0, "year_days": 224.7},
        {"name": "Earth", "order": 3, "type": "terrestrial", "diameter_km": 12756, "moons": 1, "day_hours": 24.0, "year_days": 365.2},
        {"name": "Mars", "order": 4, "type": "terrestrial", "diameter_km": 6792, "moons": 2, "day_hours": 24.7, "year_days": 687.0},
        {"name": "Jupiter", "order": 5, "type": "gas giant", "diameter_km": 142984, "moons": 95, "day_hours": 9.9, "year_days": 4331.0},
        {"name": "Saturn", "order": 6, "type": "gas giant", "diameter_km": 120536, "moons": 146, "day_hours": 10.7, "year_days": 10747.0},
        {"name": "Uranus", "order": 7, "type": "ice giant", "diameter_km": 51118, "moons": 28, "day_hours": 17.2, "year_days": 30589.0},
        {"name": "Neptune", "order": 8, "type": "ice giant", "diameter_km": 49528, "moons": 16, "day_hours": 16.1, "year_days": 59800.0}
    ]})
}

/// A selection of moons with their planet.
pub fn moons() -> Value {
    json!({"moons": [
        {"name": "Moon", "planet": "Earth", "diameter_km": 3475},
        {"name": "Phobos", "planet": "Mars", "diameter_km": 22},
        {"name": "Deimos", "planet": "Mars", "diameter_km": 12},
        {"name": "Io", "planet": "Jupiter", "diameter_km": 3643},
        {"name": "Europa", "planet": "Jupiter", "diameter_km": 3122},
        {"name": "Ganymede", "planet": "Jupiter", "diameter_km": 5268},
        {"name": "Callisto", "planet": "Jupiter", "diameter_km": 4821},
        {"name": "Titan", "planet": "Saturn", "diameter_km": 5150},
        {"name": "Enceladus", "planet": "Saturn", "diameter_km": 504},
        {"name": "Titania", "planet": "Uranus", "diameter_km": 1578},
        {"name": "Triton", "planet": "Neptune", "diameter_km": 2707}
    ]})
}

/// A selection of asteroids.
pub fn asteroids() -> Value {
    json!({"asteroids": [
        {"name": "Ceres", "diameter_km": 939, "discovered": 1801, "note": "dwarf planet, largest object in the asteroid belt"},
        {"name": "Vesta", "diameter_km": 525, "discovered": 1807, "note": "visited by Dawn"},
        {"name": "Pallas", "diameter_km": 512, "discovered": 1802, "note": "highly inclined orbit"},
        {"name": "Hygiea", "diameter_km": 434, "discovered": 1849, "note": "nearly spherical"},
        {"name": "Eros", "diameter_km": 17, "discovered": 1898, "note": "first asteroid orbited by a spacecraft"},
        {"name": "Itokawa", "diameter_km": 0.33, "discovered": 1998, "note": "sampled by Hayabusa"},
        {"name": "Ryugu", "diameter_km": 0.9, "discovered": 1999, "note": "sampled by Hayabusa2"},
        {"name": "Bennu", "diameter_km": 0.49, "discovered": 1999, "note": "sampled by OSIRIS-REx"}
    ]})
}
