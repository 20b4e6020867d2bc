"""The interactive network view; it lives in :mod:`graph.network.view` (this name stays for
existing imports)."""
from .network.view import *  # noqa: F401,F403
from .network.view import (LABELLED_MAX, MAX_EDGES, MAX_NODES, PHYSICS_MAX, TEMPLATE_DIR, VIEW_JS,  # noqa: F401
                           community_layout, entity_url, json_for_script, render_standalone,
                           view_data, vis_network_dir)
