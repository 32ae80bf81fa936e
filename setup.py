"""Package metadata for motifeffect."""

from setuptools import find_packages, setup

setup(
    name="motifeffect",
    version="0.1.0",
    description=(
        "Faithful, batched re-implementation of 'Leveraging network motifs to improve "
        "artificial neural networks' (Zhang et al., Nat. Commun. 16:11495, 2025)."
    ),
    license="GPL-3.0-or-later",
    python_requires=">=3.11",
    packages=find_packages(include=["effect", "effect.*", "practice", "practice.*", "works", "works.*"]),
    package_data={"works": ["confs/*/*", "confs/*.md"],
                  "practice": ["data/uci/*", "data/connectome/*.json", "data/connectome/SHA256SUMS",
                               "data/connectome/README.md", "data/connectome/*.py"]},
    install_requires=[
        "torch==2.13.0",
        "numpy>=2.0",
        "scipy>=1.11",
        "matplotlib>=3.8",
        "tqdm>=4.66",
        "scikit-learn>=1.4",
        "networkx>=3.2",
        "gymnasium>=1.0",
        "neat-python==2.0.0",
        "pillow>=10",
        "mnist1d==0.0.2.post1",
    ],
    extras_require={
        "cluster": ["dask[distributed]>=2024.1"],
        "dev": ["pytest>=8", "ruff>=0.17"],
        # exact pins in requirements-docs.txt
        "docs": [
            "mkdocs>=1.6",
            "mkdocstrings[python]>=1.0",
            "mkdocstrings-python>=2.0",
            "mkdocs-autorefs>=1.4",
            "pymdown-extensions>=10",
            "nbmake>=1.5",
            "nbclient>=0.10",
            "nbformat>=5.10",
            "ipykernel>=6.29",
            "jupytext>=1.16",
        ],
    },
)
