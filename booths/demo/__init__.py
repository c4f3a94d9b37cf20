"""The demo: Lorestan's vendors, a province-wide exhibition and its sites, driven through the product.

The tables are in booths.demo.data; booths.demo.build walks them with the product's own services.
"""

from booths.demo.build import load_demo

__all__ = ["load_demo"]
