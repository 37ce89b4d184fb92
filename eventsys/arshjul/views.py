from flask import Blueprint

bp = Blueprint("arshjul", __name__)
